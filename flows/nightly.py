"""The nightly batch: every call in a recorder export analysed once, stored, flagged, reported.

Thin tasks over `pipeline`: read the export, plan (skip / re-score / analyse) against the store,
analyse in worker processes with retries, store each call atomically, summarise. Running it
again on the same export does nothing new; running it after a kill finishes what was left.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from callqa.batch import AnalysisPool, Outcome, answer_time_rates, audio_digests, markdown_report, summarise
from callqa.pipeline.config import load_config
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord, ExportError, read_export
from callqa.rescore import rescore_rows
from callqa.pipeline.rules import load_rule_pack
from callqa.store import Store
from callqa.pipeline.voiceprints import VOICE_ENCODER, VoiceSample

_POOL: AnalysisPool | None = None  # the flow's worker processes, shared by its task threads


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


@lru_cache(maxsize=4)
def _store(db: str | None) -> Store:
    return Store(db)


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def analyse_call(call: CallRecord, digest: str, run_id: int, db: str | None) -> Outcome:
    """Speech-to-text and scoring in a worker process, then one atomic store write here."""
    assert _POOL is not None
    store = _store(db)
    # A mono call is attributed with its handler's voiceprint when their stereo calls gave one.
    voiceprint = store.voiceprint(call.handler_id, VOICE_ENCODER) if call.channels == "mono" else None
    try:
        out = _POOL.submit(call, voiceprint).result()
    except BrokenProcessPool:
        _POOL.restart()
        raise
    if "error" in out:  # a bad recording: record it and move on, retrying cannot help
        store.record_error(run_id, str(call.audio), "audio", out["error"], call.call_id)
        return Outcome(call.call_id, "failed", error=out["error"])
    result = out["result"]
    voice = VoiceSample.from_dict(out["voice"]) if out.get("voice") else None
    store.save_analysis(result, digest, run_id, out["worker"], voice)
    return Outcome(call.call_id, "analysed", bool(result["flags"]), result["duration_s"])


@task(cache_policy=NO_CACHE)
def rescore_calls(plans: list[Any], by_id: dict[str, CallRecord], run_id: int, db: str | None,
                  config_path: str | None) -> list[Outcome]:
    """Calls already transcribed with this engine and model only need the new rules applied."""
    store = _store(db)
    rules = load_rule_pack(load_config(config_path).rules)
    rows = [{**store.transcription(p.transcription_id), "call_type": by_id[p.call_id].call_type,
             "answer_delay_s": by_id[p.call_id].answer_delay_s} for p in plans]
    flagged = set(rescore_rows(store, rows, rules, run_id))
    return [Outcome(p.call_id, "rescored", p.call_id in flagged) for p in plans]


def _progress_bar(total: int, enabled: bool):
    if not enabled or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="call", desc="analysing", dynamic_ncols=True)


def _analyse_all(calls: list[CallRecord], digests: dict[str, str], run_id: int, db: str | None, workers: int,
                 config_path: str | None, progress: bool) -> list[Outcome]:
    """Analyse `calls` in worker processes; a call whose retries run out is recorded as failed."""
    global _POOL
    if not calls:
        return []
    store = _store(db)
    bar = _progress_bar(len(calls), progress)
    _POOL = AnalysisPool(min(workers, len(calls)), config_path)
    outcomes = []
    try:
        futures = [analyse_call.submit(call, digests[call.call_id], run_id, db) for call in calls]
        for call, future in zip(calls, futures):
            future.wait()
            if future.state.is_completed():
                outcomes.append(future.result())
            else:
                message = str(future.state.message or "analysis failed")
                store.record_error(run_id, str(call.audio), "analysis", message, call.call_id)
                outcomes.append(Outcome(call.call_id, "failed", error=message))
            if bar:
                bar.update(1)
    finally:
        _POOL.close()
        _POOL = None
        if bar:
            bar.close()
    return outcomes


@flow(name="analyse-shard", task_runner=ThreadPoolTaskRunner(max_workers=16))
def analyse_shard(export_dir: str, call_ids: list[str], run_id: int, db: str | None = None, workers: int = 1,
                  config_path: str | None = None, reader: str | None = None) -> list[dict[str, Any]]:
    """Analyse some calls of an export: the unit a scaled-out deployment hands to one worker.

    It re-plans against the store, so a shard that is retried or runs twice repeats no work.
    """
    config = load_config(config_path)
    rules = load_rule_pack(config.rules)
    listing = read_export(export_dir, reader)
    wanted = set(call_ids)
    calls = [c for c in listing.calls if c.call_id in wanted and not c.training]
    digests = audio_digests(calls)
    plans = _store(db).plan(digests, config.stt.engine, config.stt.model, rules.version)
    todo = {p.call_id for p in plans if p.action == "analyse"}
    outcomes = _analyse_all([c for c in calls if c.call_id in todo], digests, run_id, db, workers, config_path, False)
    outcomes += [Outcome(p.call_id, "skipped") for p in plans if p.action != "analyse"]
    return [asdict(o) for o in outcomes]


def _distribute(deployment: str, export_dir: str, call_ids: list[str], shards: int, run_id: int, db: str | None,
                workers: int, config_path: str | None, reader: str | None) -> list[Outcome]:
    """Hand shards of the calls to `deployment` (analyse-shard on a work pool) and wait for all."""
    from concurrent.futures import ThreadPoolExecutor

    from prefect.deployments import run_deployment

    groups = [call_ids[i::shards] for i in range(shards) if call_ids[i::shards]]

    def run(group: list[str]) -> list[Outcome]:
        flow_run = run_deployment(deployment, parameters={
            "export_dir": export_dir, "call_ids": group, "run_id": run_id, "db": db, "workers": workers,
            "config_path": config_path, "reader": reader}, timeout=None)
        if not flow_run.state or not flow_run.state.is_completed():
            message = f"shard flow run {flow_run.name} ended {flow_run.state.name if flow_run.state else 'unknown'}"
            return [Outcome(call_id, "failed", error=message) for call_id in group]
        # The store, not the shard's return value, is the record: results need no shared storage.
        return _outcomes_from_store(db, run_id, group)

    with ThreadPoolExecutor(max_workers=len(groups) or 1) as pool:
        return [o for outcomes in pool.map(run, groups) for o in outcomes]


def _absolute_db(url: str) -> str:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    return url


def _outcomes_from_store(db: str | None, run_id: int, call_ids: list[str]) -> list[Outcome]:
    """What happened to each call in this run, as the shards stored it."""
    from sqlalchemy import select

    from callqa.store import schema as t

    with _store(db).engine.connect() as conn:
        done = {r.call_id: r for r in conn.execute(
            select(t.scorings.c.call_id, t.scorings.c.flag_count, t.transcriptions.c.duration_s)
            .join(t.transcriptions, t.transcriptions.c.id == t.scorings.c.transcription_id)
            .where(t.scorings.c.run_id == run_id, t.scorings.c.call_id.in_(call_ids)))}
        failed = {r.call_id: r.message for r in conn.execute(
            select(t.errors.c.call_id, t.errors.c.message)
            .where(t.errors.c.run_id == run_id, t.errors.c.call_id.in_(call_ids)))}
    return [Outcome(c, "analysed", bool(done[c].flag_count), done[c].duration_s) if c in done
            else Outcome(c, "failed", error=failed[c]) if c in failed
            else Outcome(c, "skipped") for c in call_ids]


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=16))
def nightly(export_dir: str, db: str | None = None, workers: int = 1, config_path: str | None = None,
            reader: str | None = None, report_dir: str | None = "callqa-reports", progress: bool = False,
            distribute_to: str | None = None, shards: int = 2) -> dict[str, Any]:
    """Analyse every call of `export_dir` not yet analysed with the current engine, model and rules.

    With `distribute_to` (a deployment of `analyse-shard`, e.g. "analyse-shard/callqa-shards"), the
    calls to analyse are split into `shards` flow runs that workers on other machines pick up.
    """
    started_at, started = datetime.now(timezone.utc), time.perf_counter()
    config = load_config(config_path)
    rules = load_rule_pack(config.rules)
    store = _store(db)
    try:
        listing = read_export(export_dir, reader)
    except ExportError as exc:
        # A rejected export is a failed night: `callqa status` and the review app must show it.
        run_id = store.start_run(str(export_dir), reader, config.stt.engine, config.stt.model, rules.version,
                                 workers)
        store.record_error(run_id, str(export_dir), "export", str(exc))
        store.finish_run(run_id, {"error": str(exc)}, status="failed")
        raise
    run_id = store.start_run(str(listing.folder), listing.reader, config.stt.engine, config.stt.model,
                             rules.version, workers)
    try:
        return _run(listing, run_id, store, config, rules, db, workers, config_path, report_dir, progress,
                    distribute_to, shards, reader, started_at, started)
    except Exception as exc:
        # A crash is a failed run with its error, not one left "running" (a kill -9 is marked
        # interrupted by the next run instead).
        store.record_error(run_id, str(listing.folder), "analysis", f"the run stopped: {exc!r}"[:2000])
        store.finish_run(run_id, {"error": repr(exc)[:2000]}, status="failed")
        raise


def _run(listing, run_id: int, store: Store, config, rules, db: str | None, workers: int, config_path: str | None,
         report_dir: str | None, progress: bool, distribute_to: str | None, shards: int, reader: str | None,
         started_at: datetime, started: float) -> dict[str, Any]:
    """The night's work once the export is read and the run recorded."""
    logger = get_run_logger()
    for error in listing.errors:
        store.record_error(run_id, error.source, "export", error.problem, error.call_id)
    store.upsert_calls(listing.calls, run_id)
    training = [c for c in listing.calls if c.training]
    scored = [c for c in listing.calls if not c.training]
    digests = audio_digests(scored)
    plans = store.plan(digests, config.stt.engine, config.stt.model, rules.version)
    by_id = {c.call_id: c for c in scored}
    to_analyse = [by_id[p.call_id] for p in plans if p.action == "analyse"]
    logger.info("%d calls: %d to analyse, %d to re-score, %d already done, %d training, %d bad rows",
                len(listing.calls), len(to_analyse), sum(p.action == "rescore" for p in plans),
                sum(p.action == "skip" for p in plans), len(training), len(listing.errors))
    outcomes = [Outcome(c.call_id, "training") for c in training]
    outcomes += [Outcome(p.call_id, "skipped") for p in plans if p.action == "skip"]
    outcomes += rescore_calls([p for p in plans if p.action == "rescore"], by_id, run_id, db, config_path)
    if distribute_to and to_analyse:
        # Shard runs start elsewhere (another folder, another machine): hand them absolute locations.
        shard_config = str(Path(config_path).resolve()) if config_path else None
        outcomes += _distribute(distribute_to, str(listing.folder), [c.call_id for c in to_analyse], shards,
                                run_id, _absolute_db(store.url), workers, shard_config, reader)
    else:
        outcomes += _analyse_all(to_analyse, digests, run_id, db, workers, config_path, progress)
    summary = summarise(run_id, str(listing.folder), started_at, time.perf_counter() - started, workers,
                        config.stt.engine, config.stt.model, rules.version, outcomes,
                        [str(e) for e in listing.errors], answer_time_rates(listing.calls, {
                            "999": rules.section("answer_time")["target_999_s"],
                            "101": rules.section("answer_time")["target_101_s"]}))
    if report_dir:
        path = Path(report_dir) / f"run-{run_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown_report(summary), encoding="utf-8")
    store.finish_run(run_id, summary.to_dict())
    logger.info("run %d: %s", run_id, summary.counts)
    return summary.to_dict()
