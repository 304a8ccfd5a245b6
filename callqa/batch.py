"""Plain building blocks of the nightly batch: worker processes, outcomes, run summary, report.

The Prefect flow in `flows/nightly.py` wires these together; nothing here imports Prefect, so each
piece is testable on its own and usable from any scheduler.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from callqa.models.weights import sha256_of
from callqa.pipeline.errors import CallQAError
from callqa.pipeline.voiceprints import decode_vector, encode_vector

_ANALYZER = None  # one loaded speech model per worker process


def _init_worker(config_path: str | None) -> None:
    global _ANALYZER
    from callqa.pipeline.analyze import Analyzer
    from callqa.pipeline.config import load_config

    _ANALYZER = Analyzer(load_config(config_path))


def _analyse_in_worker(audio: str, layout: str, call_id: str, call_type: str | None,
                       answer_delay_s: float | None, voiceprint: str | None = None) -> dict[str, Any]:
    """Runs in a worker process; a bad recording comes back as an error, not an exception.

    `voiceprint` (base64) is the handler's enrolled voice for a mono call; a stereo call's
    handler voice comes back beside the result, never inside it."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        analysed = _ANALYZER.analyze(audio, layout, call_id=call_id, call_type=call_type,
                                     answer_delay_s=answer_delay_s,
                                     handler_voiceprint=decode_vector(voiceprint) if voiceprint else None,
                                     keep_voice=True)
    except CallQAError as exc:
        return {"error": str(exc), "worker": worker}
    return {"result": analysed.to_dict(), "voice": analysed.voice.to_dict() if analysed.voice else None,
            "worker": worker}


class AnalysisPool:
    """N worker processes, each with one speech-model thread (faster than threads in one process).

    Spawned, not forked: the parent runs Prefect's threads, and forking a threaded process is unsafe.
    """

    def __init__(self, workers: int, config_path: str | None = None) -> None:
        self.workers = max(1, workers)
        self.config_path = config_path
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(self.config_path,))

    def submit(self, call: Any, voiceprint: Any = None) -> Future:
        """Analyse one export CallRecord (its audio, layout and metadata) in a worker, with its
        handler's voiceprint when one is enrolled."""
        return self._executor.submit(_analyse_in_worker, str(call.audio), call.channels, call.call_id,
                                     call.call_type, call.answer_delay_s,
                                     encode_vector(voiceprint.vector) if voiceprint is not None else None)

    def restart(self) -> None:
        """After a worker died (out of memory, killed), start a fresh pool for the retry."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def audio_digests(calls: list[Any]) -> dict[str, str]:
    """sha256 of each call's audio: a re-exported call with different audio is analysed again."""
    return {call.call_id: sha256_of(Path(call.audio)) for call in calls}


@dataclass
class Outcome:
    call_id: str
    status: str              # analysed | rescored | skipped | failed | training
    flagged: bool = False
    audio_s: float = 0.0
    error: str | None = None


@dataclass
class RunSummary:
    run_id: int
    export_dir: str
    started_at: str
    wall_s: float
    workers: int
    engine: str
    model: str
    rules_version: str
    counts: dict[str, int] = field(default_factory=dict)
    audio_s: float = 0.0
    flagged_calls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answer_time: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def audio_hours(self) -> float:
        return self.audio_s / 3600

    @property
    def realtime_factor(self) -> float:
        return self.audio_s / self.wall_s if self.wall_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "audio_hours": round(self.audio_hours, 4),
                "realtime_factor": round(self.realtime_factor, 2)}


def answer_time_rates(calls: list[Any], targets: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Share of each call type answered within its target (999: 90% within 10 s nationally).

    Training calls are left out; calls without an answer time are not counted either way.
    """
    rates = {}
    for call_type, target in targets.items():
        delays = [c.answer_delay_s for c in calls
                  if not c.training and c.call_type == call_type and c.answer_delay_s is not None]
        within = sum(d <= target for d in delays)
        rates[call_type] = {"calls": len(delays), "within_target": within, "target_s": target,
                            "rate": round(within / len(delays), 3) if delays else None}
    return rates


def summarise(run_id: int, export_dir: str, started_at: datetime, wall_s: float, workers: int, engine: str,
              model: str, rules_version: str, outcomes: list[Outcome], export_errors: list[str],
              answer_time: dict[str, dict[str, Any]] | None = None) -> RunSummary:
    """Counts per outcome; audio hours and real-time factor cover speech-to-text work only."""
    counts = {key: 0 for key in ("calls", "analysed", "rescored", "skipped", "failed", "training", "flagged")}
    counts["calls"] = len(outcomes)
    for outcome in outcomes:
        counts[outcome.status] += 1
        counts["flagged"] += outcome.flagged
    counts["export_errors"] = len(export_errors)
    return RunSummary(
        run_id=run_id, export_dir=export_dir, started_at=started_at.isoformat(), wall_s=round(wall_s, 2),
        workers=workers, engine=engine, model=model, rules_version=rules_version, counts=counts,
        audio_s=round(sum(o.audio_s for o in outcomes if o.status == "analysed"), 2),
        flagged_calls=sorted(o.call_id for o in outcomes if o.flagged),
        errors=export_errors + [f"{o.call_id}: {o.error}" for o in outcomes if o.status == "failed"],
        answer_time=answer_time or {})


def markdown_report(summary: RunSummary) -> str:
    """A short report for the contact-services team; call ids only, no transcript text."""
    c = summary.counts
    lines = [
        f"# callqa run {summary.run_id}", "",
        f"- export: `{summary.export_dir}`",
        f"- started: {summary.started_at}; wall time {summary.wall_s:.1f} s; {summary.workers} worker(s)",
        f"- engine: {summary.engine} {summary.model}; rules {summary.rules_version}",
        f"- audio analysed: {summary.audio_hours:.3f} h ({summary.audio_s:.0f} s), "
        f"real-time factor {summary.realtime_factor:.1f}x", "",
        "| calls | analysed | re-scored | already done | failed | training (not scored) | flagged | bad rows |",
        "|---|---|---|---|---|---|---|---|",
        f"| {c['calls']} | {c['analysed']} | {c['rescored']} | {c['skipped']} | {c['failed']} | {c['training']} "
        f"| {c['flagged']} | {c['export_errors']} |", "",
    ]
    answered = [f"- {kind} calls answered within {r['target_s']:.0f} s: {r['within_target']} of {r['calls']} "
                f"({r['rate']:.0%})" for kind, r in summary.answer_time.items() if r["calls"]]
    if answered:
        lines += ["## Answer times", "", *answered, ""]
    if summary.flagged_calls:
        lines += ["## Flagged calls", "", *[f"- `{call}`" for call in summary.flagged_calls], "",
                  "See `callqa flags` for reasons and evidence times.", ""]
    if summary.errors:
        lines += ["## Problems", "", *[f"- {e}" for e in summary.errors], ""]
    return "\n".join(lines)
