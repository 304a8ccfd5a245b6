#!/usr/bin/env python
"""Accuracy of callqa's judgements on data nobody tuned on.

    python bench/accuracy.py                      # all three parts
    python bench/accuracy.py --part utterances    # per-intent precision/recall (held-out split)
    python bench/accuracy.py --part utterances --split blind --errors   # the blind set: tuning data now
    python bench/accuracy.py --part utterances --split blind2  # the second blind set: figures only
    python bench/accuracy.py --part calls --cache /tmp/callqa-acc   # sample calls; cache transcripts
    python bench/accuracy.py --part calls --sets samples,unseen     # without the blind calls
    python bench/accuracy.py --part real

1. **Utterances** (`bench/data/intents/utterances.jsonl`): each labelled line is scored as a
   one-sentence turn of its speaker, and every intent of that speaker is looked for. Precision and
   recall per intent on the `heldout` split (never used to choose exemplars or thresholds: its
   figures only, never its errors), and on `tune` for comparison. Two more files in the same format:
   - `--split blind` reads `bench/data/intents/blind_utterances.jsonl` (`"split": "blind"`, written
     by someone who never saw the detector). It was measured once, blind (rules
     staffordshire-2026.12.3), and is tuning data since: `--errors` lists its errors like tune's.
   - `--split blind2` reads `bench/data/intents/blind2_utterances.jsonl` (`"split": "blind2"`,
     written blind after that round): measure-only, its figures and never its lines or errors
     (`--errors` is refused), so it stays a fair measure of wording nobody tuned on.
   Develop on the tune split's cross-validated figures (`bench/intent_cv.py`) and on blind's errors.
2. **Sample calls**: the 13 calls in `sample_audio/`, the 19 of `sample_audio/unseen/` (measured
   in an earlier round and looked at since) and the 20 of `sample_audio/blind/` (written blind for
   issue 11, measured only: `--sets` picks them; the blind set's figures are printed apart, never
   which of its statuses went wrong), analysed end to end (tiny.en, stereo): status accuracy per
   indicator, the `needs_review` share of flags, and accuracy on confident statuses against all.
3. **Real recordings** in `../shared/data/real/` (not police calls): the statuses and how sure
   callqa says it is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callqa.pipeline.indicators import CallContext  # noqa: E402
from callqa.pipeline.intents import INTENTS, SentenceVectors  # noqa: E402
from callqa.pipeline.intents.questions import is_question  # noqa: E402
from callqa.pipeline.rules import load_rule_pack  # noqa: E402
from callqa.pipeline.transcript import Segment, Word  # noqa: E402
from callqa.pipeline.vad import Region  # noqa: E402

CORPUS = ROOT / "bench" / "data" / "intents" / "utterances.jsonl"
BLIND = ROOT / "bench" / "data" / "intents" / "blind_utterances.jsonl"
BLIND2 = ROOT / "bench" / "data" / "intents" / "blind2_utterances.jsonl"
SPLITS = ("heldout", "tune", "blind", "blind2")
ERROR_SPLITS = ("tune", "blind")  # tuning data: their errors may be listed; heldout's and blind2's never
SAMPLE_SETS = {"samples": ROOT / "sample_audio", "unseen": ROOT / "sample_audio" / "unseen",
               "blind": ROOT / "sample_audio" / "blind"}
# Calls written blind and measured only: their figures are printed, never which statuses went wrong.
MEASURE_ONLY_SETS = ("blind",)
REAL = ROOT.parent / "shared" / "data" / "real"
WORD_S = 0.3


def one_turn(speaker: str, text: str) -> CallContext:
    words = [Word(" " + w, 1.0 + i * WORD_S, 1.0 + (i + 1) * WORD_S, 0.9) for i, w in enumerate(text.split())]
    seg = Segment(speaker, words[0].start_s, words[-1].end_s, text, words)
    timelines = {"handler": [], "caller": []}
    timelines[speaker].append(Region(seg.start_s, seg.end_s))
    return CallContext("stereo", seg.end_s + 1.0, [seg], timelines)


def predicted(line: dict, rules, vectors: SentenceVectors | None = None) -> set[str]:
    """The intents found in one labelled line scored as a one-sentence turn (`vectors`: shared
    sentence vectors, so a text is embedded once however often it is scored)."""
    ctx = one_turn(line["speaker"], line["text"])
    ctx.vectors = vectors
    finder = ctx.intents(rules)
    found = set()
    for name, spec in INTENTS.items():
        if spec.speaker == line["speaker"] and finder.hits(name):
            found.add(name)
    if any(n.startswith("vulnerability.") for n in found):
        found.add("vulnerability")
    found = {n.replace("vulnerability.", "vulnerability:") for n in found}
    if line["speaker"] == "handler":
        cfg = rules.section("silence")
        if any(is_question(" ".join(t.raw for t in u.tokens), cfg["question_starts"], cfg["question_mark_min_words"])
               for u in finder.units["handler"]):
            found.add("question")
    return found


def split_file(split: str) -> Path:
    """Where a split's lines are (looked up when asked, so a test can point a split elsewhere)."""
    return {"blind": BLIND, "blind2": BLIND2}.get(split, CORPUS)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def compare(line: dict, pred: set[str]) -> list[tuple[str, str]]:
    """(intent, "tp" | "fp" | "fn") for every intent of the line's speaker it was right or wrong on."""
    truth = set(line["intents"])
    speaker_intents = {n.replace("vulnerability.", "vulnerability:") for n, s in INTENTS.items()
                       if s.speaker == line["speaker"]}
    speaker_intents |= {"vulnerability"} if line["speaker"] == "caller" else {"question"}
    out = []
    for intent in sorted(speaker_intents):
        t, p = intent in truth, intent in pred
        if t or p:
            out.append((intent, "tp" if t and p else "fp" if p else "fn"))
    return out


def figures(counts: dict[str, list[int]]) -> dict[str, dict]:
    """Precision and recall per intent from [tp, fp, fn] counts."""
    rows = {}
    for intent in sorted(counts):
        tp, fp, fn = counts[intent]
        rows[intent] = {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                        "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn}
    return rows


def print_rows(rows: dict[str, dict]) -> None:
    print(f"  {'intent':38} {'precision':>9} {'recall':>7} {'positives':>9}")
    for intent, row in rows.items():
        print(f"  {intent:38} {row['precision']:9.3f} {row['recall']:7.3f} {row['positives']:9d}")


def utterances(rules, show_errors: bool = False, splits: tuple[str, ...] = ("heldout", "tune"),
               path: Path = CORPUS) -> dict:
    """Per-intent figures for each of `splits`; the errors of the tuning splits (tune, blind) when
    `show_errors`: a measuring split's (heldout, blind2) are never kept."""
    lines = [x for x in read_lines(path) if x["split"] in splits]
    vectors = SentenceVectors.from_dict(None)  # the encoder's own name, empty
    started = time.perf_counter()
    preds = [predicted(line, rules, vectors) for line in lines]
    seconds = time.perf_counter() - started
    report = {}
    for split in splits:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
        errors = defaultdict(list)
        for line, pred in zip(lines, preds):
            if line["split"] != split:
                continue
            for intent, kind in compare(line, pred):
                counts[intent][("tp", "fp", "fn").index(kind)] += 1
                if kind != "tp":
                    errors[intent].append((kind.upper(), line["text"]))
        report[split] = {"intents": figures(counts), "lines": sum(1 for x in lines if x["split"] == split)}
        if show_errors and split in ERROR_SPLITS:
            report[f"{split}_errors"] = {k: v for k, v in errors.items()}
    report["ms_per_utterance"] = 1000 * seconds / max(1, len(lines))
    return report


def _truth(wav: Path) -> dict:
    return json.loads(wav.with_suffix(".truth.json").read_text())


def calls(rules, cache: Path | None, sets: tuple[str, ...] = tuple(SAMPLE_SETS)) -> dict:
    from callqa.pipeline.analyze import Analyzer
    from callqa.rescore import rescore_transcription

    analyzer = None
    out = {}
    for set_name in sets:
        for wav in sorted(SAMPLE_SETS[set_name].glob("*.wav")):
            truth = _truth(wav)
            cached = cache / set_name / f"{wav.stem}.json" if cache else None
            if cached and cached.is_file():
                stored = json.loads(cached.read_text())
                stored["vectors"] = stored.get("sentence_vectors")
                result = {**stored, **rescore_transcription(stored, rules, truth["call_type"], truth["answer_delay_s"])}
            else:
                analyzer = analyzer or Analyzer(rules=rules)
                result = analyzer.analyze(wav, call_type=truth["call_type"],
                                          answer_delay_s=truth["answer_delay_s"]).to_dict()
                if cached:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_text(json.dumps(result))
            out[f"{set_name}/{wav.stem}"] = (truth, result)
    return out


def call_report(results: dict, rules) -> dict:
    review_below = rules.section("scoring")["review_below"]
    per = defaultdict(lambda: {"right": 0, "n": 0, "confident_right": 0, "confident_n": 0, "wrong": []})
    flags = needs = 0
    for key, (truth, result) in results.items():
        for name, expected in truth["expected"].items():
            got = result["indicators"][name]
            row = per[name]
            row["n"] += 1
            right = got["status"] == expected
            row["right"] += right
            if got.get("confidence", 1.0) >= review_below:
                row["confident_n"] += 1
                row["confident_right"] += right
            if not right:
                row["wrong"].append(f"{key}: {got['status']} (expected {expected}, conf {got.get('confidence')}) "
                                    f"{got['reason'][:90]}")
        greeting = (result.get("stats") or {}).get("greeting_pass") or {}
        if greeting.get("tried"):
            per["_greeting_pass"]["wrong"].append(f"{key}: replaced={greeting['replaced']} "
                                                  f"{greeting['before'][:50]!r} -> {greeting['after'][:50]!r} "
                                                  f"(greeting now {result['indicators']['greeting']['status']}, "
                                                  f"expected {truth['expected']['greeting']})")
        flags += len(result["flags"])
        needs += sum(1 for f in result["flags"] if f.get("needs_review"))
    passes = per.pop("_greeting_pass", {"wrong": []})["wrong"]
    total = {k: sum(r[k] for r in per.values()) for k in ("right", "n", "confident_right", "confident_n")}
    return {"indicators": dict(per), "total": total, "flags": flags, "needs_review": needs, "greeting_passes": passes}


def real(rules) -> dict:
    from callqa.pipeline.analyze import Analyzer

    if not REAL.is_dir():
        return {"skipped": f"{REAL} is absent"}
    analyzer = Analyzer(rules=rules)
    out = {}
    for path in [REAL / "conversations" / "katiesteve.wav", REAL / "conversations" / "dev00.wav",
                 REAL / "telephone" / "g711_mulaw_sample1.g711"]:
        if not path.is_file():
            continue
        try:
            result = analyzer.analyze(path).to_dict()
        except Exception as exc:  # noqa: BLE001 - a report, not a test
            out[path.name] = {"error": str(exc)}
            continue
        out[path.name] = {name: (r["status"], r.get("confidence")) for name, r in result["indicators"].items()
                          if r["status"] != "not_applicable"}
    return out


def print_calls(label: str, rep: dict, n_calls: int, show_wrong: bool) -> None:
    """Status accuracy per indicator of one group of calls; which went wrong only for tuning sets."""
    print(f"\nSample calls ({label}, {n_calls} calls): status accuracy per indicator"
          + ("" if show_wrong else " (measured only: figures, never the wrong statuses)"))
    for name, row in rep["indicators"].items():
        conf = row["confident_right"] / row["confident_n"] if row["confident_n"] else float("nan")
        print(f"  {name:22} {row['right']:3d}/{row['n']:<3d} = {row['right'] / row['n']:.3f}"
              f"   confident only: {row['confident_right']}/{row['confident_n']} = {conf:.3f}")
        for wrong in row["wrong"] if show_wrong else ():
            print(f"      wrong: {wrong}")
    t = rep["total"]
    print(f"  all: {t['right']}/{t['n']} = {t['right'] / t['n']:.3f}; confident statuses "
          f"{t['confident_right']}/{t['confident_n']} = {t['confident_right'] / max(1, t['confident_n']):.3f}; "
          f"needs_review {rep['needs_review']} of {rep['flags']} flags")
    if show_wrong:
        print(f"  greeting re-decoded with the force's names as hotwords on {len(rep['greeting_passes'])} call(s):")
        for line in rep["greeting_passes"]:
            print(f"      {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("utterances", "calls", "real", "all"), default="all")
    parser.add_argument("--split", choices=SPLITS,
                        help="utterances of one split only (default: heldout and tune); blind reads "
                             "blind_utterances.jsonl (tuning data), blind2 blind2_utterances.jsonl "
                             "(figures only)")
    parser.add_argument("--sets", default=",".join(SAMPLE_SETS),
                        help="comma list of call sets for --part calls: samples, unseen (tuning and measuring "
                             "sets of earlier rounds) and blind (measured only; default: all three)")
    parser.add_argument("--cache", type=Path, help="keep each call's analysis here and re-score from it next time")
    parser.add_argument("--errors", action="store_true",
                        help="list the tuning splits' errors (tune, blind; never heldout's or blind2's)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    rules = load_rule_pack()
    report: dict = {"rules_version": rules.version}
    if args.errors and args.split not in (None, *ERROR_SPLITS):
        print(f"accuracy: the {args.split} split is measure-only: --errors is refused", file=sys.stderr)
        return 2
    if args.part in ("utterances", "all"):
        splits = (args.split,) if args.split else ("heldout", "tune")
        path = split_file(splits[0])
        if not path.is_file():
            print(f"accuracy: {path.relative_to(ROOT)} is absent", file=sys.stderr)
            return 2
        rep = utterances(rules, args.errors, splits, path)
        report["utterances"] = rep
        for split in splits:
            print(f"\nIntents, {split} split ({rep[split]['lines']} utterances)")
            print_rows(rep[split]["intents"])
        print(f"  scoring: {rep['ms_per_utterance']:.2f} ms per utterance")
        if args.errors:
            for split in splits:
                for intent, errs in rep.get(f"{split}_errors", {}).items():
                    for kind, text in errs:
                        print(f"    {split} {kind} {intent}: {text}")
    if args.part in ("calls", "all"):
        sets = tuple(args.sets.split(","))
        unknown = sorted(set(sets) - set(SAMPLE_SETS))
        if unknown:
            parser.error(f"--sets: unknown set(s) {', '.join(unknown)}; known: {', '.join(SAMPLE_SETS)}")
        results = calls(rules, args.cache, sets)
        # The tuning sets are reported together, with what went wrong; each measure-only set apart, figures only.
        tuned = tuple(x for x in sets if x not in MEASURE_ONLY_SETS)
        groups = ([(" + ".join(tuned), tuned)] if tuned else []) + [(x, (x,)) for x in sets if x in MEASURE_ONLY_SETS]
        report["calls"] = {}
        for label, members in groups:
            chosen = {k: v for k, v in results.items() if k.split("/")[0] in members}
            rep = call_report(chosen, rules)
            report["calls"][label] = rep
            print_calls(label, rep, len(chosen), show_wrong=members == tuned)
    if args.part in ("real", "all"):
        rep = real(rules)
        report["real"] = rep
        print("\nReal recordings (not police calls): status (confidence)")
        for name, statuses in rep.items():
            print(f"  {name}: {statuses}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
