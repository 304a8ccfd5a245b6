"""Re-score stored transcripts with a rule pack, without running speech-to-text again.

Indicators are pure functions of (transcript, speech timeline, rule pack), so a QA lead's rules
change only costs the scoring: thousands of calls a minute, no audio touched.
"""

from __future__ import annotations

import time

from threadpoolctl import threadpool_limits
from dataclasses import dataclass
from typing import Any

from callqa.pipeline.analyze import score_stored, scoring_dict
from callqa.pipeline.intents import SentenceVectors
from callqa.pipeline.result_shape import rescored_result
from callqa.pipeline.rules import RulePack
from callqa.store import Store
from callqa.pipeline.transcript import Segment
from callqa.pipeline.vad import Region


@dataclass
class RescoreSummary:
    rules_version: str
    rescored: int
    flagged: int
    seconds: float

    @property
    def calls_per_second(self) -> float:
        return self.rescored / self.seconds if self.seconds else 0.0


def rescore_transcription(row: dict[str, Any], rules: RulePack, call_type: str | None = None,
                          answer_delay_s: float | None = None) -> dict[str, Any]:
    """The scoring part of a result (rules_version, score, silences, indicators, flags) for a stored transcript."""
    segments = [Segment.from_dict(s) for s in row["transcript"]]
    timelines = {speaker: [Region(a, b) for a, b in regions] for speaker, regions in row["speech"].items()}
    vectors = SentenceVectors.from_dict(row.get("vectors"))
    scoring = score_stored(row["layout"], row["duration_s"], segments, timelines, rules, call_type, answer_delay_s, vectors)
    return rescored_result(row["call_id"], scoring_dict(scoring, rules.version))


def rescore_rows(store: Store, rows: list[dict[str, Any]], rules: RulePack, run_id: int | None = None,
                 batch: int = 500) -> list[str]:
    """Score stored transcripts (rows carrying call_type and answer_delay_s); returns the flagged call ids."""
    flagged = []
    with threadpool_limits(1, user_api="blas"):  # one BLAS thread: small products, and workers run side by side
        _rescore_batches(store, rows, rules, run_id, batch, flagged)
    return flagged


def _rescore_batches(store: Store, rows: list[dict[str, Any]], rules: RulePack, run_id: int | None, batch: int,
                     flagged: list[str]) -> None:
    for first in range(0, len(rows), batch):
        scorings = []
        for row in rows[first:first + batch]:
            result = rescore_transcription(row, rules, row.get("call_type"), row.get("answer_delay_s"))
            scorings.append((row["id"], result))
            if result["flags"]:
                flagged.append(row["call_id"])
        store.save_scorings(scorings, run_id)  # one transaction per batch: fast, and never half a call


def rescore_store(store: Store, rules: RulePack, engine: str | None = None, model: str | None = None,
                  run_id: int | None = None) -> RescoreSummary:
    """Score every call whose latest transcript has no scoring with this rules version."""
    started = time.perf_counter()
    pending = store.pending_rescores(rules.version, engine, model)
    flagged = rescore_rows(store, pending, rules, run_id)
    return RescoreSummary(rules.version, len(pending), len(flagged), time.perf_counter() - started)
