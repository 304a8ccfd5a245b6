#!/usr/bin/env python
"""Write the rule pack's labelled examples from the *tune* split of the utterance corpus and the
hand-written extra examples.

    python bench/make_examples.py     # -> models/rules/staffordshire.examples.toml

Two sources, one file (the pack names one examples file):
- `split == "tune"` lines of bench/data/intents/utterances.jsonl: the held-out split is never
  seen by the rule pack, so bench/accuracy.py's held-out figures measure wording the rules were
  not written for;
- models/rules/staffordshire.extra_examples.toml: sentences written for callqa in new wordings
  (never copied from either split), the same `[[example]]` tables a QA lead adds.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "data" / "intents" / "utterances.jsonl"
EXTRA = ROOT / "models" / "rules" / "staffordshire.extra_examples.toml"
OUT = ROOT / "models" / "rules" / "staffordshire.examples.toml"
SKIP = {"vulnerability", "question"}  # "vulnerability" is its kinds; questions are found by their form


def example_of(line: dict) -> dict:
    """A corpus line as a pack example: its intents in the pack's names, without the form-only ones."""
    intents = sorted(i.replace("vulnerability:", "vulnerability.") for i in line["intents"] if i not in SKIP)
    return {"speaker": line["speaker"], "text": line["text"], "intents": intents}


def extra_examples(path: Path = EXTRA) -> list[dict]:
    """The hand-written examples (empty when the file is absent)."""
    if not path.is_file():
        return []
    return [{"speaker": x["speaker"], "text": x["text"], "intents": sorted(x["intents"])}
            for x in tomllib.loads(path.read_text(encoding="utf-8")).get("example", [])]


def main() -> int:
    lines = [json.loads(x) for x in CORPUS.read_text().splitlines() if x.strip()]
    tune = [example_of(x) for x in lines if x["split"] == "tune"]
    extra = extra_examples()
    out = ["# Labelled example sentences for intent matching, written by bench/make_examples.py from the",
           "# tune split of bench/data/intents/utterances.jsonl (never the held-out split) and the",
           "# hand-written staffordshire.extra_examples.toml. Edit those, then run it again.",
           "# Each is an exemplar of its intents and a counter-exemplar of its speaker's other intents.",
           "# Add a line to teach callqa a new way of saying something (or a trap to leave alone).", ""]
    for x in tune + extra:
        out += ["[[example]]", f"speaker = {json.dumps(x['speaker'])}", f"text = {json.dumps(x['text'])}",
                f"intents = {json.dumps(x['intents'])}", ""]
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {len(tune)} tune and {len(extra)} extra examples to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
