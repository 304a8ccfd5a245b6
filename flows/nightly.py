"""The nightly batch as a Prefect flow: decorators and retries around the plain-Python recipe in
`callqa.batch` (settings, open the run, plan, re-score, analyse, finish).

The night's analysis is one task (per shard), retrying per call inside (a worker that died is
restarted for the retry); the store is the record, so running the flow again on the same export
does nothing new, and running it after a kill finishes what was left. Nothing is kept between
runs: the store, the settings and the worker pool live as long as one flow run.

`callqa run` prepares the night before Prefect (`callqa.batch.prepare`) and hands it to
`run_prepared_flow`; a scheduled or deployed run calls `nightly`, which prepares inside the flow.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from callqa.batch import (AnalysisPool, NightPlan, Outcome, Settings, fail_run, finish_run, load_settings,
                          plan_calls, rescore_planned, stored_outcomes)
from callqa.batch.analysis import analyze_calls, expected_seconds
from callqa.batch.prepare import PreparedNight, prepare_night
from callqa.batch.progress import ProgressDisplay, progress_display
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord, read_export
from callqa.report_settings import ReportSettings, load_report_settings
from callqa.store import Store


class _ExpectedErrorFilter(logging.Filter):
    """Drop Prefect's "Encountered exception during execution" record (with its traceback) when the
    exception is a CallQAError: that is bad input, already worded for a user, and the caller
    reports it (the CLI prints one `callqa: error:` line). Crashes keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, CallQAError)


_EXPECTED_ERRORS = _ExpectedErrorFilter()


def hide_expected_tracebacks() -> None:
    """Keep a rejected export's traceback off the terminal (idempotent)."""
    logger = logging.getLogger("prefect.flow_runs")
    if _EXPECTED_ERRORS not in logger.filters:
        logger.addFilter(_EXPECTED_ERRORS)


@task(name="analyze-calls", cache_policy=NO_CACHE)
def analyze_calls_task(pool: AnalysisPool, store: Store, calls: list[CallRecord], digests: dict[str, str],
                       run_id: int, expected_s: dict[str, float], display: ProgressDisplay | None) -> list[Outcome]:
    """This machine's share of the night as one task (one per shard, not one per call: a task run
    per call cost API round trips that competed with the workers). Retries are per call inside
    (a worker that died is restarted and its calls tried again), and a call whose tries ran out
    is recorded as failed, so the task itself fails only on a crash."""
    logger = get_run_logger()
    return analyze_calls(pool, store, calls, digests, run_id, expected_s, display, on_restart=logger.warning)


def _analyze_all(store: Store, calls: list[CallRecord], digests: dict[str, str], run_id: int, workers: int,
                 settings: Settings, display: ProgressDisplay | None, pool: AnalysisPool | None = None,
                 expected_s: dict[str, float] | None = None) -> list[Outcome]:
    """Analyse `calls` in worker processes (`pool` if started already, else a new one)."""
    if not calls:
        if pool is not None:
            pool.close()
        return []
    expected_s = expected_s if expected_s is not None else expected_seconds(calls)
    with pool or AnalysisPool(min(workers, len(calls)), settings.config) as running:
        return analyze_calls_task(running, store, calls, digests, run_id, expected_s, display)


@flow(name="analyze-shard", task_runner=ThreadPoolTaskRunner(max_workers=16))
def analyze_shard(export_dir: str, call_ids: list[str], run_id: int, db: str | None = None, workers: int = 1,
                  config_path: str | None = None, reader: str | None = None) -> list[dict[str, Any]]:
    """Analyse some calls of an export: the unit a scaled-out deployment hands to one worker.

    It re-plans against the store, so a shard that is retried or runs twice repeats no work.
    """
    settings = load_settings(config_path)
    store = Store(db)
    wanted = set(call_ids)
    calls = [c for c in read_export(export_dir, reader).calls if c.call_id in wanted and not c.training]
    digests, plans = plan_calls(store, calls, settings)
    todo = {p.call_id for p in plans if p.action == "analyse"}
    outcomes = _analyze_all(store, [c for c in calls if c.call_id in todo], digests, run_id, workers, settings,
                            None)
    outcomes += [Outcome(p.call_id, "skipped") for p in plans if p.action != "analyse"]
    return [asdict(o) for o in outcomes]


def _distribute(deployment: str, store: Store, export_dir: str, call_ids: list[str], shards: int, run_id: int,
                workers: int, config_path: str | None, reader: str | None) -> list[Outcome]:
    """Hand shards of the calls to `deployment` (analyze-shard on a work pool) and wait for all."""
    from concurrent.futures import ThreadPoolExecutor

    from prefect.deployments import run_deployment

    # Shard runs start elsewhere (another folder, another machine): hand them absolute locations.
    db = _absolute_db(store.url)
    config_path = str(Path(config_path).resolve()) if config_path else None
    groups = [call_ids[i::shards] for i in range(shards) if call_ids[i::shards]]

    def run(group: list[str]) -> list[Outcome]:
        flow_run = run_deployment(deployment, parameters={
            "export_dir": export_dir, "call_ids": group, "run_id": run_id, "db": db, "workers": workers,
            "config_path": config_path, "reader": reader}, timeout=None)
        if not flow_run.state or not flow_run.state.is_completed():
            message = f"shard flow run {flow_run.name} ended {flow_run.state.name if flow_run.state else 'unknown'}"
            return [Outcome(call_id, "failed", error=message) for call_id in group]
        return stored_outcomes(store, run_id, group)

    with ThreadPoolExecutor(max_workers=len(groups) or 1) as pool:
        return [o for outcomes in pool.map(run, groups) for o in outcomes]


def _absolute_db(url: str) -> str:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    return url


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=16))
def nightly(export_dir: str, db: str | None = None, workers: int = 1, config_path: str | None = None,
            reader: str | None = None, report_dir: str | None = "callqa-reports", progress: bool = False,
            distribute_to: str | None = None, shards: int = 2, report_base_url: str | None = None) -> dict[str, Any]:
    """Analyse every call of `export_dir` not yet analysed with the current engine, model and rules.

    With `distribute_to` (a deployment of `analyze-shard`, e.g. "analyze-shard/callqa-shards"), the
    calls to analyse are split into `shards` flow runs that workers on other machines pick up.
    The morning report is written to `report_dir` and published as this flow run's markdown
    artifact (key `callqa-morning-report`); call links use `report_base_url`, else the
    `[report]` settings. Notification URLs are never parameters (Prefect records those): they come
    from the settings file or the environment of the machine running the flow.
    """
    settings = load_settings(config_path)
    report_settings = load_report_settings(config_path, report_base_url)
    logger = get_run_logger()
    prepared = prepare_night(Store(db), export_dir, reader, settings, workers, say=logger.info,
                             start_pool=not distribute_to)
    display = progress_display(sum(prepared.expected_s.values())) if progress and prepared.night.to_analyze else None
    return run_prepared(prepared, report_dir, report_settings, display, distribute_to, shards, config_path, reader)


def run_prepared(prepared: PreparedNight, report_dir: str | None, report_settings: ReportSettings,
                 display: ProgressDisplay | None = None, distribute_to: str | None = None, shards: int = 2,
                 config_path: str | None = None, reader: str | None = None) -> dict[str, Any]:
    """The rest of a prepared night, inside a flow run: re-score, analyse (here, or in shards on
    other machines), summarise, write and publish the morning report, close the run."""
    store, night, run_id, settings = prepared.store, prepared.night, prepared.run_id, prepared.settings
    listing = prepared.listing
    try:
        _log_plan(night, len(listing.calls), len(listing.errors))
        outcomes = night.done + rescore_planned(store, night, run_id, settings)
        if distribute_to and night.to_analyze:
            outcomes += _distribute(distribute_to, store, str(listing.folder),
                                    [c.call_id for c in night.to_analyze], shards, run_id, prepared.workers,
                                    config_path, reader)
        else:
            pool, prepared.pool = prepared.pool, None
            outcomes += _analyze_all(store, night.to_analyze, night.digests, run_id, prepared.workers, settings,
                                     display, pool, prepared.expected_s)
        finished = finish_run(store, listing, run_id, outcomes, settings, prepared.workers, prepared.started_at,
                              prepared.wall_s, report_dir, report_settings)
    except Exception as exc:
        fail_run(store, run_id, str(listing.folder), exc)
        raise
    finally:
        prepared.close()
    logger = get_run_logger()
    try:
        publish_report(run_id, finished.report)
    except Exception as exc:  # the run is stored and its file written: say so, do not fail the night
        logger.error("run %d: the morning report could not be published as an artifact: %r", run_id, exc)
    logger.info("run %d: %s", run_id, finished.summary.counts)
    if finished.notified is False:
        logger.warning("run %d: the notification could not be delivered", run_id)
    return finished.summary.to_dict()


def run_prepared_flow(prepared: PreparedNight, report_dir: str | None, report_settings: ReportSettings,
                      display: ProgressDisplay | None = None) -> dict[str, Any]:
    """`callqa run`'s flow run: the night was read, recorded, hashed and planned (and its workers
    started) before Prefect; this records the rest as a `nightly` flow run. Its parameters say
    which run it finishes; the prepared night itself is not a parameter (Prefect would try to
    serialise the store and the pool), it is closed over."""

    @flow(name="nightly", flow_run_name=f"callqa-run-{prepared.run_id}",
          task_runner=ThreadPoolTaskRunner(max_workers=4))
    def nightly_prepared(export_dir: str, run_id: int, workers: int, to_analyse: int,
                         to_rescore: int) -> dict[str, Any]:
        return run_prepared(prepared, report_dir, report_settings, display)

    night = prepared.night
    return nightly_prepared(export_dir=str(prepared.listing.folder), run_id=prepared.run_id,
                            workers=prepared.workers, to_analyse=len(night.to_analyze),
                            to_rescore=len(night.to_rescore))


def prefect_ready() -> str:
    """Make sure a Prefect API answers: the server PREFECT_API_URL names, else a temporary one,
    started now. `callqa run` calls this in a thread while it hashes and plans."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
        url = str(client.api_url)
    if problem is not None:
        raise PrefectUnavailable(f"the Prefect server at {url} does not answer: {problem}")
    return "PREFECT_API_URL " + url if PREFECT_API_URL.value() else "a temporary server at " + url


class PrefectUnavailable(CallQAError):
    """PREFECT_API_URL names a server that does not answer (nothing was analysed)."""


REPORT_ARTIFACT = "callqa-morning-report"


def publish_report(run_id: int, markdown: str) -> None:
    """The morning report as this flow run's markdown artifact (newest under one key)."""
    create_markdown_artifact(markdown=markdown, key=REPORT_ARTIFACT,
                             description=f"callqa run {run_id}: the morning report")


def _log_plan(night: NightPlan, calls: int, bad_rows: int) -> None:
    training = sum(o.status == "training" for o in night.done)
    get_run_logger().info("%d calls: %d to analyse, %d to re-score, %d already done, %d training, %d bad rows",
                          calls, len(night.to_analyze), len(night.to_rescore), len(night.done) - training,
                          training, bad_rows)
