"""A night's calls through the worker pool, with nothing per call but the call itself.

The issue measured 2 workers at 1.62x one: the parent's per-call bookkeeping (a Prefect task run
per call, with its API round trips to the Prefect server, itself a process on the same cores)
competed with the speech-to-text processes. Here the whole set is one loop (one Prefect task
in `callqa.flows.nightly`), and:

- the longest calls go first, so the night does not end with one worker on a long call while
  the other waits (the last call is a short one);
- exactly one call per worker is in flight, so the parent knows when each call started (the
  progress bar credits a running call) and the next call goes out the moment one comes back;
- a worker that dies (out of memory, killed) breaks the pool: the pool is restarted once and the
  calls that were in it are tried again, `ANALYSIS_RETRIES` times at most, then recorded failed;
- each result is stored as it comes back, after the next call has been handed out.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable

from callqa.batch.progress import AudioProgress, ProgressDisplay
from callqa.batch.summary import Outcome
from callqa.batch.workers import AnalysisPool
from callqa.pipeline.audio import probe
from callqa.pipeline.voiceprints import VOICE_ENCODER, VoiceSample
from callqa.recorder_export import CallRecord
from callqa.store import Store

ANALYSIS_RETRIES = 2      # tries after the first, for a call whose worker died
TICK_S = 0.5              # how often the progress display is redrawn while calls run
UNKNOWN_BYTES_PER_S = 16000.0   # a header without a length: guess 128 kbit/s


def expected_seconds(calls: list[CallRecord]) -> dict[str, float]:
    """Each call's length from its header, for the order and the progress bar; a header that does
    not say is guessed from the file size, and a file that cannot be probed counts 1 s (it will
    fail fast in a worker, with the reason)."""
    out = {}
    for call in calls:
        try:
            info = probe(call.audio)
            seconds = info.frames / info.sample_rate if info.frames > 0 and info.sample_rate else \
                Path(call.audio).stat().st_size / UNKNOWN_BYTES_PER_S
        except Exception:  # a bad recording: the worker reports why
            seconds = 1.0
        out[call.call_id] = max(1.0, float(seconds))
    return out


def store_result(store: Store, call: CallRecord, digest: str, run_id: int, out: dict[str, Any]) -> Outcome:
    """One worker's answer into the store in one transaction: a result, or a bad recording's
    error row (retrying cannot help those)."""
    if "error" in out:
        store.record_error(run_id, str(call.audio), "audio", out["error"], call.call_id)
        return Outcome(call.call_id, "failed", error=out["error"])
    result = out["result"]
    voice = VoiceSample.from_dict(out["voice"]) if out.get("voice") else None
    store.save_analysis(result, digest, run_id, out["worker"], voice)
    return Outcome(call.call_id, "analysed", bool(result["flags"]), result["duration_s"])


def submit_call(pool: AnalysisPool, store: Store, call: CallRecord) -> Future:
    """Hand one call to a worker; a mono call goes with its handler's voiceprint when their stereo
    calls gave one."""
    voiceprint = store.voiceprint(call.handler_id, VOICE_ENCODER) if call.layout == "mono" else None
    return pool.submit(call, voiceprint)


def record_failure(store: Store, run_id: int, call: CallRecord, message: str) -> Outcome:
    """A call whose retries ran out: an error row, and a failed outcome in the summary."""
    store.record_error(run_id, str(call.audio), "analysis", message, call.call_id)
    return Outcome(call.call_id, "failed", error=message)


def analyze_calls(pool: AnalysisPool, store: Store, calls: list[CallRecord], digests: dict[str, str], run_id: int,
                  expected_s: dict[str, float] | None = None, display: ProgressDisplay | None = None,
                  retries: int = ANALYSIS_RETRIES, on_restart: Callable[[str], None] | None = None) -> list[Outcome]:
    """Analyse `calls` in `pool`'s workers and store each; outcomes come back in `calls` order."""
    if not calls:
        return []
    expected_s = {c.call_id: (expected_s or {}).get(c.call_id, 1.0) for c in calls}
    progress = AudioProgress(expected_s, pool.workers)
    queue = deque(sorted(calls, key=lambda c: -expected_s[c.call_id]))   # longest first
    tries: dict[str, int] = {}
    in_flight: dict[Future, CallRecord] = {}
    outcomes: dict[str, Outcome] = {}

    def settle(call: CallRecord, outcome: Outcome, audio_s: float | None = None) -> None:
        outcomes[call.call_id] = outcome
        progress.finished(call.call_id, audio_s)

    def refill() -> None:
        while queue and len(in_flight) < pool.workers:
            call = queue.popleft()
            try:
                future = submit_call(pool, store, call)
            except BrokenProcessPool:   # a worker died while idle: the pool refuses new work
                queue.appendleft(call)
                restart(list(in_flight.values()))
                continue
            in_flight[future] = call
            progress.started(call.call_id)

    def restart(broken: list[CallRecord]) -> None:
        """Every call still in the pool broke with it: restart once, try them all again."""
        in_flight.clear()
        pool.restart()
        if on_restart:
            on_restart(f"a worker process died; the pool was restarted ({len(broken)} call(s) to try again)")
        for call in broken:
            _retry_or_fail(store, run_id, call, "a worker process died (out of memory or killed)", tries,
                           retries, queue, settle)

    try:
        while queue or in_flight:
            refill()
            done, _ = wait(list(in_flight), timeout=TICK_S, return_when=FIRST_COMPLETED)
            answers, broken = [], []
            for future in done:
                call = in_flight.pop(future)
                try:
                    answers.append((call, future.result()))
                except BrokenProcessPool:
                    broken.append(call)
                except Exception as exc:  # pickling, a worker-side crash outside the analysis
                    _retry_or_fail(store, run_id, call, repr(exc), tries, retries, queue, settle)
            if broken:
                restart(broken + list(in_flight.values()))
            refill()   # before storing, so the workers never wait for the parent's writes
            for call, out in answers:
                outcome = store_result(store, call, digests[call.call_id], run_id, out)
                settle(call, outcome, (out.get("result") or {}).get("duration_s"))
            if display:
                display.update(progress.state())
    finally:
        if display:
            display.close(progress.state())
    return [outcomes[c.call_id] for c in calls]


def _retry_or_fail(store: Store, run_id: int, call: CallRecord, message: str, tries: dict[str, int], retries: int,
                   queue: deque, settle: Callable[[CallRecord, Outcome], None]) -> None:
    tries[call.call_id] = tries.get(call.call_id, 0) + 1
    if tries[call.call_id] <= retries:
        queue.appendleft(call)
    else:
        settle(call, record_failure(store, run_id, call, f"{message}; gave up after {retries + 1} tries"))
