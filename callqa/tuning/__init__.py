"""Learning from QA leads' decisions: how often they agree with the flags (per indicator, rules
version and week), and `callqa rules tune`, which proposes a rule pack from their confirms and
dismissals, measured on calls it did not learn from. Nothing here changes the rules in use: a
proposal becomes the rules only through `callqa rules apply` (docs/judgements.md, "Learning from
QA decisions").

It sits beside `callqa.batch` and `callqa.panel` in the layers: it uses the store and the re-score
machinery, and the CLI and the review app use it.
"""
