"""A night made ready without Prefect: read the export, record the run, hash, plan, and start
the worker processes as soon as it is clear there will be calls to analyse.

`callqa run` does this before it imports Prefect: a night with nothing to do (every call already
scored with these rules) is then closed here and never starts a Prefect server, and a night with
work starts Prefect (`on_work`) and the workers (loading their models) while the audio is hashed.
Calls the store has no result for at all are certain to need analysing; a known call needs it
only when its audio changed, which only its hash can tell, so that rarer case waits for the plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from callqa.batch.analysis import expected_seconds
from callqa.batch.digests import audio_bytes, audio_digests
from callqa.batch.night import NightPlan, Settings, fail_run, open_run, plan_night
from callqa.batch.progress import audio_amount
from callqa.batch.stages import Say, quiet
from callqa.batch.workers import AnalysisPool
from callqa.recorder_export import CallRecord, ExportListing
from callqa.store import Store


@dataclass
class PreparedNight:
    """A recorded, planned run and (when it has calls to analyse) its started worker pool."""

    settings: Settings
    store: Store
    listing: ExportListing
    run_id: int
    night: NightPlan
    workers: int
    started_at: datetime
    started: float                                   # perf_counter at the start, for wall_s
    expected_s: dict[str, float] = field(default_factory=dict)   # call id -> audio seconds (to analyse)
    pool: AnalysisPool | None = None

    @property
    def has_work(self) -> bool:
        """Calls to analyse or re-score: only then is Prefect worth starting."""
        return bool(self.night.to_analyze or self.night.to_rescore)

    @property
    def wall_s(self) -> float:
        return time.perf_counter() - self.started

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def unscored_calls(store: Store, calls: list[CallRecord]) -> list[CallRecord]:
    """Calls with no stored result at all: analysing them is certain, before any hashing."""
    scored = store.current_scoring_ids([c.call_id for c in calls])
    return [c for c in calls if c.call_id not in scored]


def prepare_night(store: Store, export_dir: str, reader: str | None, settings: Settings, workers: int,
                  say: Say = quiet, on_work: Callable[[], None] | None = None, start_pool: bool = True,
                  started: float | None = None) -> PreparedNight:
    """Read, record, hash and plan; start the pool early when `start_pool` (not for a night handed
    out to other machines). `on_work` is called once, as soon as the night is known to have work."""
    started_at, started = datetime.now(timezone.utc), started or time.perf_counter()
    say(f"reading the export {export_dir}")
    listing, run_id = open_run(store, export_dir, reader, settings, workers)
    pool = None
    try:
        scored = [c for c in listing.calls if not c.training]
        say(f"{len(listing.calls)} calls ({len(scored)} to score, {len(listing.calls) - len(scored)} training), "
            f"{len(listing.errors)} bad rows; run {run_id} recorded")
        new = unscored_calls(store, scored)
        work_said = False
        if new:
            if start_pool:  # before Prefect's thread, so the two do not import the same modules at once
                pool = _start_pool(min(workers, len(new)), settings, say)
            work_said = _work(on_work)
        say(f"hashing {len(scored)} files ({audio_bytes(scored) / 1e6:.1f} MB)")
        digests = audio_digests(scored)
        say("planning against the store")
        night = plan_night(store, listing, settings, digests)
        expected = expected_seconds(night.to_analyze)
        say(f"{len(night.to_analyze)} to analyse ({audio_amount(sum(expected.values()))} of audio), "
            f"{len(night.to_rescore)} to re-score, {sum(o.status == 'skipped' for o in night.done)} already done")
        if (night.to_analyze or night.to_rescore) and not work_said:
            _work(on_work)
        if night.to_analyze and pool is None and start_pool:
            pool = _start_pool(min(workers, len(night.to_analyze)), settings, say)
        elif not night.to_analyze and pool is not None:
            pool.close()   # the unscored calls were duplicates or bad: nothing for the workers
            pool = None
    except BaseException as exc:
        if pool is not None:
            pool.close()
        if isinstance(exc, Exception):
            fail_run(store, run_id, str(listing.folder), exc)
        raise
    return PreparedNight(settings, store, listing, run_id, night, workers, started_at, started, expected, pool)


def _work(on_work: Callable[[], None] | None) -> bool:
    if on_work:
        on_work()
    return True


def _start_pool(workers: int, settings: Settings, say: Say) -> AnalysisPool:
    say(f"starting {workers} worker process(es); each loads the speech model while the parent plans")
    return AnalysisPool(workers, settings.config)
