#!/usr/bin/env python
"""Write the rule pack's labelled examples from the *tune* split of the utterance corpus.

    python bench/make_examples.py     # -> models/rules/staffordshire.examples.toml

Only `split == "tune"` lines are used: the held-out split is never seen by the rule pack, so
bench/accuracy.py's held-out figures measure wording the rules were not written for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "data" / "intents" / "utterances.jsonl"
OUT = ROOT / "models" / "rules" / "staffordshire.examples.toml"
SKIP = {"vulnerability", "question"}  # "vulnerability" is its kinds; questions are found by their form


def main() -> int:
    lines = [json.loads(x) for x in CORPUS.read_text().splitlines() if x.strip()]
    tune = [x for x in lines if x["split"] == "tune"]
    out = ["# Labelled example sentences for intent matching, written from the tune split of",
           "# bench/data/intents/utterances.jsonl by bench/make_examples.py (never the held-out split).",
           "# Each is an exemplar of its intents and a counter-exemplar of its speaker's other intents.",
           "# Add a line to teach callqa a new way of saying something (or a trap to leave alone).", ""]
    for x in tune:
        intents = sorted(i.replace("vulnerability:", "vulnerability.") for i in x["intents"] if i not in SKIP)
        out += ["[[example]]", f"speaker = {json.dumps(x['speaker'])}", f"text = {json.dumps(x['text'])}",
                f"intents = {json.dumps(intents)}", ""]
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {len(tune)} examples to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
