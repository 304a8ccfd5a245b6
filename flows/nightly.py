"""The nightly batch as a Prefect flow: decorators and retries around the plain-Python recipe in
`callqa.batch` (settings, open the run, plan, re-score, analyse, finish).

Each call is a task with retries (a worker that died is restarted for the retry); the store is
the record, so running the flow again on the same export does nothing new, and running it after a
kill finishes what was left. Nothing is kept between runs: the store, the settings and the worker
pool live as long as one flow run.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from callqa.batch import (AnalysisPool, NightPlan, Outcome, Settings, analyze_one, fail_run, finish_run,
                          load_settings, open_run, plan_calls, plan_night, record_failure, rescore_planned,
                          stored_outcomes)
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord, read_export
from callqa.report_settings import load_report_settings
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


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def analyze_call(pool: AnalysisPool, store: Store, call: CallRecord, digest: str, run_id: int) -> Outcome:
    """One call in a worker process; a worker that died is restarted before the retry."""
    try:
        return analyze_one(pool, store, call, digest, run_id)
    except BrokenProcessPool:
        pool.restart()
        raise


def _progress_bar(total: int, enabled: bool):
    if not enabled or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="call", desc="analysing", dynamic_ncols=True)


def _analyze_all(store: Store, calls: list[CallRecord], digests: dict[str, str], run_id: int, workers: int,
                 settings: Settings, progress: bool) -> list[Outcome]:
    """Analyse `calls` in worker processes; a call whose retries run out is recorded as failed."""
    if not calls:
        return []
    bar = _progress_bar(len(calls), progress)
    outcomes = []
    try:
        with AnalysisPool(min(workers, len(calls)), settings.config) as pool:
            futures = [analyze_call.submit(pool, store, call, digests[call.call_id], run_id) for call in calls]
            for call, future in zip(calls, futures):
                future.wait()
                if future.state.is_completed():
                    outcomes.append(future.result())
                else:
                    outcomes.append(record_failure(store, run_id, call,
                                                   str(future.state.message or "analysis failed")))
                if bar:
                    bar.update(1)
    finally:
        if bar:
            bar.close()
    return outcomes


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
                            False)
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
    started_at, started = datetime.now(timezone.utc), time.perf_counter()
    settings = load_settings(config_path)
    report_settings = load_report_settings(config_path, report_base_url)
    store = Store(db)
    listing, run_id = open_run(store, export_dir, reader, settings, workers)
    try:
        night = plan_night(store, listing, settings)
        _log_plan(night, len(listing.calls), len(listing.errors))
        outcomes = night.done + rescore_planned(store, night, run_id, settings)
        if distribute_to and night.to_analyze:
            outcomes += _distribute(distribute_to, store, str(listing.folder),
                                    [c.call_id for c in night.to_analyze], shards, run_id, workers, config_path,
                                    reader)
        else:
            outcomes += _analyze_all(store, night.to_analyze, night.digests, run_id, workers, settings, progress)
        finished = finish_run(store, listing, run_id, outcomes, settings, workers, started_at,
                              time.perf_counter() - started, report_dir, report_settings)
    except Exception as exc:
        fail_run(store, run_id, str(listing.folder), exc)
        raise
    logger = get_run_logger()
    try:
        publish_report(run_id, finished.report)
    except Exception as exc:  # the run is stored and its file written: say so, do not fail the night
        logger.error("run %d: the morning report could not be published as an artifact: %r", run_id, exc)
    logger.info("run %d: %s", run_id, finished.summary.counts)
    if finished.notified is False:
        logger.warning("run %d: the notification could not be delivered", run_id)
    return finished.summary.to_dict()


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
