#!/usr/bin/env python
"""`callqa rules tune` on a store with simulated QA-lead decisions: held-out agreement before and after.

    python bench/bench_tune.py [--calls 60] [--seed 7] [--sentences]

Builds a temporary SQLite store of hand-written stereo 101 calls (no audio, no speech-to-text:
transcripts, speech timelines and sentence vectors stored as `callqa run` stores them), scores
them with the bundled pack, and has a simulated QA lead decide every flag: she dismisses
unexplained-silence flags whose longest silence is under 15 s (the pack fails 10 s) and confirms
every other flag. Then it runs `callqa rules tune` and `callqa rules apply` on the store and
prints what tune learnt, the agreement on the held-out calls before and after, and the time taken.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORD_S = 0.35
LEAD_LIMIT_S = 15.0   # the simulated lead accepts handler silences shorter than this
GAPS = (11.0, 12.0, 13.0, 14.0, 16.0, 18.0, 20.0, 24.0)
PROBLEMS = ("my shed has been broken into last night and my bike was taken",
            "someone has keyed my car outside my house on the street",
            "my neighbour keeps playing loud music every night until three",
            "my wallet was stolen from my bag in the town centre this morning",
            "there is a car that has been parked across my drive for two days")
BEFORE_SILENCE = ("okay thank you for that", "right thank you very much", "okay that is fine then",
                  "alright thank you for telling me")


def _segment(speaker: str, start: float, text: str) -> Any:
    from callqa.pipeline.transcript import Segment, Word

    words = [Word(" " + w, start + i * WORD_S, start + (i + 1) * WORD_S, 0.9) for i, w in enumerate(text.split())]
    return Segment(speaker, start, words[-1].end_s, text, words)


def simulated_call(rng: random.Random) -> tuple[list[tuple[str, float, str]], float]:
    """(turns, the handler's silence in seconds) of one 101 call."""
    gap = rng.choice(GAPS)
    before = rng.choice(BEFORE_SILENCE)
    turns = [("handler", 0.5, "Staffordshire Police how can I help you"),
             ("caller", 3.5, "hello " + rng.choice(PROBLEMS)),
             ("handler", 9.0, "okay I am sorry to hear that"),
             ("handler", 11.5, before)]
    t = 11.5 + WORD_S * len(before.split()) + gap
    turns += [("handler", t, "right thank you for waiting"),
              ("caller", t + 3, "that is okay"),
              ("handler", t + 5, "an officer will call you back within 24 hours"),
              ("caller", t + 9, "okay thank you"),
              ("handler", t + 11, "your crime reference number is four five six is there anything else"),
              ("caller", t + 16, "no that is all thanks bye")]
    return turns, gap


def build_store(url: str, calls: int = 60, seed: int = 7) -> dict[str, float]:
    """A new store at `url` with `calls` simulated calls scored by the bundled pack and every flag
    decided by the simulated lead; returns call id -> its handler silence (s)."""
    from callqa.pipeline.analyze import call_vectors, scoring_dict
    from callqa.pipeline.config import STTConfig
    from callqa.pipeline.embeddings import default_encoder
    from callqa.pipeline.indicators import CallContext, score_call
    from callqa.pipeline.result_shape import result_dict
    from callqa.pipeline.rules import load_rule_pack
    from callqa.pipeline.vad import Region
    from callqa.recorder_export import CallRecord
    from callqa.store import Store

    store, rules, encoder, stt = Store(url), load_rule_pack(), default_encoder(), STTConfig()
    rng = random.Random(seed)
    gaps: dict[str, float] = {}
    first = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    for i in range(calls):
        call_id = f"sim-{i:03d}"
        turns, gaps[call_id] = simulated_call(rng)
        segments = [_segment(*t) for t in turns]
        timelines: dict[str, list[Region]] = {"handler": [], "caller": []}
        for seg in segments:
            timelines[seg.speaker].append(Region(seg.start_s, seg.end_s))
        duration = max(s.end_s for s in segments) + 1.0
        ctx = CallContext("stereo", duration, segments, timelines, "101", 20.0)
        ctx.vectors = vectors = call_vectors(ctx, encoder)
        scoring = score_call(ctx, rules)
        store.upsert_calls([CallRecord(call_id=call_id, audio=Path(f"/nonexistent/{call_id}.wav"),
                                       started_at=first + timedelta(hours=7 * i), call_type="101", area="Stafford",
                                       handler_id=f"h{i % 5}", layout="stereo-handler-left", answer_delay_s=20.0,
                                       training=False, source="bench_tune simulation")], None)
        store.save_analysis(result_dict(
            call_id=call_id, duration_s=round(duration, 2), layout="stereo", channel_layout="stereo-handler-left",
            engine={"name": stt.engine, "model": stt.model}, attribution=None,
            metadata={"call_type": "101", "answer_delay_s": 20.0}, transcript=[s.to_dict() for s in segments],
            speech={k: [[r.start_s, r.end_s] for r in v] for k, v in timelines.items()},
            scoring=scoring_dict(scoring, rules.version), audio=None, stats=None,
            sentence_vectors=vectors.to_dict()), f"{i:064x}", None)
    decide_as_the_lead(store, gaps)
    return gaps


def decide_as_the_lead(store: Any, gaps: dict[str, float]) -> None:
    """Dismiss unexplained-silence flags on silences under LEAD_LIMIT_S, confirm every other flag."""
    for call_id, gap in gaps.items():
        for flag in store.current_flags(call_id):
            dismiss = flag["indicator"] == "unexplained_silence" and gap < LEAD_LIMIT_S
            store.record_flag_decision(call_id, flag["id"], flag["indicator"], "dismiss" if dismiss else "confirm",
                                       "a short pause on a 101 call is fine" if dismiss else None, None, "lead")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulation (the split has its own)")
    parser.add_argument("--sentences", action="store_true", help="also learn exemplars (refits the intent model)")
    args = parser.parse_args(argv)
    from callqa.cli import main as callqa

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        build_store(url, args.calls, args.seed)
        built = time.perf_counter()
        print(f"store: {args.calls} simulated calls scored and decided in {built - started:.1f} s")
        tune = ["rules", "tune", "--db", url, "--out", f"{tmp}/proposal.toml", "--new-version", "bench-tuned"]
        status = callqa(tune + ([] if args.sentences else ["--no-sentences"]))
        tuned = time.perf_counter()
        print(f"tune: exit {status} in {tuned - built:.1f} s")
        status = callqa(["rules", "apply", f"{tmp}/proposal.toml", "--db", url])
        print(f"apply: exit {status} in {time.perf_counter() - tuned:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
