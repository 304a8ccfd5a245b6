"""Re-score stored transcripts with a rule pack, without running speech-to-text again.

Indicators are pure functions of (transcript, speech timeline, rule pack), so a QA lead's rules
change only costs the scoring: thousands of calls a minute, no audio touched.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

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


BATCH = 500          # transcripts read, scored and written together
MIN_PER_WORKER = 2000  # fewer pending calls than this per extra worker: starting it costs more than it saves


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
                 batch: int = BATCH) -> list[str]:
    """Score stored transcripts (rows carrying call_type and answer_delay_s); returns the flagged call ids."""
    flagged: list[str] = []
    with threadpool_limits(1, user_api="blas"):  # one BLAS thread: small products, and workers run side by side
        for first in range(0, len(rows), batch):
            scorings = score_rows(rows[first:first + batch], rules)
            store.save_scorings(scorings, run_id)  # one transaction per batch: fast, and never half a call
            flagged += [result["call_id"] for _, result in scorings if result["flags"]]
    return flagged


def score_rows(rows: list[dict[str, Any]], rules: RulePack) -> list[tuple[int, dict[str, Any]]]:
    """(transcription id, scoring part of a result) for each stored transcript row."""
    return [(row["id"], rescore_transcription(row, rules, row.get("call_type"), row.get("answer_delay_s")))
            for row in rows]


def rescore_store(store: Store, rules: RulePack, engine: str | None = None, model: str | None = None,
                  run_id: int | None = None, workers: int = 1, batch: int = BATCH) -> RescoreSummary:
    """Score every call whose latest transcript has no scoring with this rules version.

    Transcripts are read `batch` at a time (memory stays flat however large the store), scored,
    and written one transaction per batch. With `workers` > 1 (and enough calls), worker
    processes each read, score and write whole batches: scoring is pure Python, so processes,
    not threads, use the cores, and no result travels back through this process."""
    started = time.perf_counter()
    ids = store.pending_rescore_ids(rules.version, engine, model)
    batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    workers = max(1, min(workers, len(ids) // MIN_PER_WORKER + 1, len(batches)))
    if workers == 1:
        with threadpool_limits(1, user_api="blas"):
            flagged = sum(_rescore_batch(store, rules, ids, run_id) for ids in batches)
    else:
        context = multiprocessing.get_context("spawn")   # no fork of a process holding database connections
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(store.url, rules, run_id)) as pool:
            flagged = sum(pool.map(_worker_batch, batches))
    return RescoreSummary(rules.version, len(ids), flagged, time.perf_counter() - started)


def _rescore_batch(store: Store, rules: RulePack, ids: list[int], run_id: int | None) -> int:
    """Read, score and write one batch of transcripts; the number of them now flagged."""
    scorings = score_rows(store.rescore_inputs(ids), rules)
    store.save_scorings(scorings, run_id)
    return sum(1 for _, result in scorings if result["flags"])


_WORKER: dict[str, Any] = {}


def _start_worker(url: str, rules: RulePack, run_id: int | None) -> None:
    """A re-scoring worker: its own connection to the store, one BLAS thread."""
    threadpool_limits(1, user_api="blas")
    _WORKER.update(store=Store.open(url), rules=rules, run_id=run_id)


def _worker_batch(ids: list[int]) -> int:
    return _rescore_batch(_WORKER["store"], _WORKER["rules"], ids, _WORKER["run_id"])
