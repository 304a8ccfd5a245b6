"""Worker processes for the batch: one loaded speech model each, fed one call at a time.

Processes, not threads: with one speech-model thread each, two processes beat two threads here.
Spawned, not forked: the parent runs Prefect's threads, and forking a threaded process is unsafe.
The processes start (and load the model) when the pool is made, not at the first call, so a
pool made before planning has its models loaded by the time the first call is handed out.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from callqa.pipeline.config import AnalysisConfig
from callqa.pipeline.errors import CallQAError
from callqa.pipeline.voiceprints import decode_vector, encode_vector

_ANALYZER = None  # one loaded speech model per worker process


def _init_worker(config: AnalysisConfig) -> None:
    """Load the speech model once per process, from the parent's validated config (never re-read)."""
    global _ANALYZER
    from callqa.pipeline.analyze import Analyzer

    _ANALYZER = Analyzer(config)


def _analyze_in_worker(audio: str, layout: str, call_id: str, call_type: str | None,
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


def _ready() -> str:
    """A no-op for each worker at start: it makes the executor spawn them (and run the model
    loading initializer) now rather than when the first call comes."""
    return f"{socket.gethostname()}:{os.getpid()}"


class AnalysisPool:
    """N worker processes, each with one speech-model thread, all loaded from one frozen config."""

    def __init__(self, workers: int, config: AnalysisConfig) -> None:
        self.workers = max(1, workers)
        self.config = config
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(self.config,))
        for _ in range(self.workers):  # spawn every process now: each loads its model meanwhile
            executor.submit(_ready)
        return executor

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, call: Any, voiceprint: Any = None) -> Future:
        """Analyse one export CallRecord (its audio, layout and metadata) in a worker, with its
        handler's voiceprint when one is enrolled."""
        return self._executor.submit(_analyze_in_worker, str(call.audio), call.layout, call.call_id,
                                     call.call_type, call.answer_delay_s,
                                     encode_vector(voiceprint.vector) if voiceprint is not None else None)

    def restart(self) -> None:
        """After a worker died (out of memory, killed), start a fresh pool for the retry."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
