#!/usr/bin/env python
"""Cross-validated intent figures on the *tune* split: what to develop against.

    python bench/intent_cv.py               # 5 folds over the tune split
    python bench/intent_cv.py --errors      # and each fold's errors (tune lines only)

The held-out split may be measured only at the start and the end of a change, so choices (new
example sentences, features, thresholds) are made here: the tune split is cut into folds by a hash
of each line's id; for each fold the rule pack's labelled examples are rebuilt from the other folds
(plus the hand-written extra examples, `staffordshire.extra_examples.toml`), the intent model is
refitted, and the fold's lines are scored end to end the way bench/accuracy.py scores them. No
held-out line is read.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
import make_examples  # noqa: E402

from callqa.pipeline.intents import SentenceVectors  # noqa: E402
from callqa.pipeline.matching import normalise  # noqa: E402
from callqa.pipeline.rules import load_rule_pack  # noqa: E402


def fold_of(line_id: str, folds: int) -> int:
    return int(hashlib.sha256(f"cv:{line_id}".encode()).hexdigest(), 16) % folds


def as_examples(rows: list[dict]) -> list[dict]:
    """Labelled lines in the form the rule pack's loader gives its examples (normalised text)."""
    return [{"speaker": r["speaker"], "text": " ".join(normalise(r["text"])), "intents": r["intents"]}
            for r in rows if normalise(r["text"])]


def with_examples(rules, examples: list[dict], tag: str):
    """The pack with its labelled examples replaced (a new version, so nothing cached is reused)."""
    intents = {**rules.data["intents"], "examples": examples}
    return dataclasses.replace(rules, version=f"{rules.version}+{tag}", data={**rules.data, "intents": intents})


def cross_validate(rules, folds: int, with_extra: bool = True) -> tuple[dict, list]:
    """(per-intent counts summed over folds, errors) for the tune split."""
    tune = [x for x in accuracy.read_lines(accuracy.CORPUS) if x["split"] == "tune"]
    extra = make_examples.extra_examples() if with_extra else []
    vectors = SentenceVectors.from_dict(None)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    errors = []
    for k in range(folds):
        train = [make_examples.example_of(x) for x in tune if fold_of(x["id"], folds) != k]
        test = [x for x in tune if fold_of(x["id"], folds) == k]
        started = time.perf_counter()
        fold_rules = with_examples(rules, as_examples(train + extra), f"cv{folds}.{k}")
        for line in test:
            pred = accuracy.predicted(line, fold_rules, vectors)
            for intent, kind in accuracy.compare(line, pred):
                counts[intent][("tp", "fp", "fn").index(kind)] += 1
                if kind != "tp":
                    errors.append((k, kind.upper(), intent, line["text"]))
        print(f"  fold {k}: {len(test)} lines, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return dict(counts), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-extra", action="store_true", help="leave out the hand-written extra examples")
    parser.add_argument("--errors", action="store_true", help="list the tune lines each fold got wrong")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rules = load_rule_pack()
    counts, errors = cross_validate(rules, args.folds, not args.no_extra)
    rows = accuracy.figures(counts)
    print(f"\nIntents, tune split, {args.folds}-fold cross-validated (rules {rules.version})")
    accuracy.print_rows(rows)
    low = min(min(r["precision"], r["recall"]) for r in rows.values())
    print(f"  mean precision {sum(r['precision'] for r in rows.values()) / len(rows):.3f}, "
          f"mean recall {sum(r['recall'] for r in rows.values()) / len(rows):.3f}, lowest {low:.3f}")
    if args.errors:
        for fold, kind, intent, text in sorted(errors, key=lambda e: (e[2], e[1])):
            print(f"    {kind} {intent}: {text}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "errors": errors}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
