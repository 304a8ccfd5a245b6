"""One night's batch as a plain-Python recipe: settings, open the run, plan, re-score, analyse,
finish. `callqa.flows.nightly` wraps these steps in Prefect (a task with retries per call) and
`analyze_shard` reuses the planning; any other scheduler can call them in the same order.
`callqa.batch.prepare` runs the first steps (read, record, hash, plan, start the workers) before
any Prefect, so a night with nothing to do never starts it.

    settings = load_settings(config_path)            # the config and rule pack, read and checked once
    listing, run_id = open_run(store, export_dir, reader, settings, workers)
    night = plan_night(store, listing, settings)      # skip, re-score or analyse each call
    outcomes = night.done + rescore_planned(store, night, run_id, settings)
    with AnalysisPool(workers, settings.config) as pool:
        outcomes += analyze_calls(pool, store, night.to_analyze, night.digests, run_id)
    finished = finish_run(store, listing, run_id, outcomes, settings, workers, started_at, wall_s, report_dir,
                          report_settings)           # the morning report, written; the notification, if any
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from callqa.batch.analysis import record_failure, store_result, submit_call
from callqa.batch.digests import audio_digests
from callqa.batch.morning_report import build_report, render_markdown
from callqa.batch.notify import notification_for, send_notification
from callqa.batch.summary import Outcome, RunSummary, answer_time_rates, summarise
from callqa.batch.workers import AnalysisPool
from callqa.pipeline.config import AnalysisConfig, load_config
from callqa.pipeline.rules import RulePack, load_rule_pack
from callqa.recorder_export import CallRecord, ExportError, ExportListing, read_export
from callqa.report_settings import SECTION as REPORT_SECTION, ReportSettings
from callqa.rescore import rescore_rows
from callqa.store import Plan, Store


@dataclass(frozen=True)
class Settings:
    """What a run is judged with, loaded and validated once: workers get `config` itself, not a path.
    `config_path` is kept only for shard flows on other machines, which load it there."""

    config: AnalysisConfig
    rules: RulePack
    config_path: str | None = None

    @property
    def engine(self) -> str:
        return self.config.stt.engine

    @property
    def model(self) -> str:
        return self.config.stt.model


def load_settings(config_path: str | None) -> Settings:
    config = load_config(config_path, (REPORT_SECTION,))   # [report] is read by callqa.report_settings
    return Settings(config, load_rule_pack(config.rules), config_path)


@dataclass
class NightPlan:
    """The calls of one export sorted by what they need."""

    digests: dict[str, str]                           # call id -> audio sha256 (scored calls)
    by_id: dict[str, CallRecord]
    to_analyze: list[CallRecord] = field(default_factory=list)
    to_rescore: list[Plan] = field(default_factory=list)
    done: list[Outcome] = field(default_factory=list)  # training calls and calls already scored


def open_run(store: Store, export_dir: str, reader: str | None, settings: Settings,
             workers: int) -> tuple[ExportListing, int]:
    """Read the export and record the run. A rejected export is recorded as a failed run with its
    error (so `callqa status` and the review app show the failed night) and raised."""
    try:
        listing = read_export(export_dir, reader)
    except ExportError as exc:
        run_id = store.start_run(str(export_dir), reader, settings.engine, settings.model, settings.rules.version,
                                 workers)
        store.record_error(run_id, str(export_dir), "export", str(exc))
        store.finish_run(run_id, {"error": str(exc)}, status="failed")
        raise
    run_id = store.start_run(str(listing.folder), listing.reader, settings.engine, settings.model,
                             settings.rules.version, workers)
    for error in listing.errors:
        store.record_error(run_id, error.source, "export", error.problem, error.call_id)
    store.upsert_calls(listing.calls, run_id)
    return listing, run_id


def plan_calls(store: Store, calls: list[CallRecord], settings: Settings) -> tuple[dict[str, str], list[Plan]]:
    """Hash each call's audio and ask the store what it needs with this engine, model and rules.
    The one planning step of both the nightly run and a shard."""
    digests = audio_digests(calls)
    return digests, store.plan(digests, settings.engine, settings.model, settings.rules.version)


def plan_night(store: Store, listing: ExportListing, settings: Settings,
               digests: dict[str, str] | None = None) -> NightPlan:
    """Skip, re-score or analyse each scored call; `digests` when the audio was hashed already."""
    scored = [c for c in listing.calls if not c.training]
    if digests is None:
        digests, plans = plan_calls(store, scored, settings)
    else:
        plans = store.plan(digests, settings.engine, settings.model, settings.rules.version)
    by_id = {c.call_id: c for c in scored}
    night = NightPlan(digests, by_id)
    night.done = [Outcome(c.call_id, "training") for c in listing.calls if c.training]
    for plan in plans:
        if plan.action == "analyse":
            night.to_analyze.append(by_id[plan.call_id])
        elif plan.action == "rescore":
            night.to_rescore.append(plan)
        else:
            night.done.append(Outcome(plan.call_id, "skipped"))
    return night


def rescore_planned(store: Store, night: NightPlan, run_id: int, settings: Settings) -> list[Outcome]:
    """Calls already transcribed with this engine and model only need the new rules applied."""
    if not night.to_rescore:
        return []
    rows = [{**store.transcription(p.transcription_id), "call_type": night.by_id[p.call_id].call_type,
             "answer_delay_s": night.by_id[p.call_id].answer_delay_s} for p in night.to_rescore]
    flagged = set(rescore_rows(store, rows, settings.rules, run_id))
    return [Outcome(p.call_id, "rescored", p.call_id in flagged) for p in night.to_rescore]


def analyze_one(pool: AnalysisPool, store: Store, call: CallRecord, digest: str, run_id: int) -> Outcome:
    """One call in a worker and its one atomic store write here (`callqa.batch.analysis` runs a
    whole night this way, keeping every worker busy). A bad recording is recorded as an error
    (retrying cannot help); a dead worker raises, for a retry."""
    return store_result(store, call, digest, run_id, submit_call(pool, store, call).result())


def stored_outcomes(store: Store, run_id: int, call_ids: list[str]) -> list[Outcome]:
    """What happened to each call in this run, as shards on other machines stored it: the store,
    not a shard's return value, is the record."""
    done, failed = store.run_outcomes(run_id, call_ids)
    return [Outcome(c, "analysed", bool(done[c][0]), done[c][1]) if c in done
            else Outcome(c, "failed", error=failed[c]) if c in failed
            else Outcome(c, "skipped") for c in call_ids]


@dataclass(frozen=True)
class FinishedRun:
    """A closed run: its summary, the morning report (markdown, for the file and the flow's
    artifact), where the file went, and whether the notification went (None: none configured)."""

    summary: RunSummary
    report: str
    report_path: Path | None
    notified: bool | None


def finish_run(store: Store, listing: ExportListing, run_id: int, outcomes: list[Outcome], settings: Settings,
               workers: int, started_at: datetime, wall_s: float, report_dir: str | None,
               report: ReportSettings | None = None) -> FinishedRun:
    """Summarise, write the morning report, close the run (checkpointing a SQLite store), then
    send the notification, if one is configured (its failure does not fail the run)."""
    report = report or ReportSettings()
    summary = summarise(run_id, str(listing.folder), started_at, wall_s, workers, settings.engine, settings.model,
                        settings.rules.version, outcomes, [str(e) for e in listing.errors],
                        answer_time_rates(listing.calls, settings.rules))
    morning = build_report(store, summary, [c.call_id for c in listing.calls if not c.training], settings.rules,
                           report.base_url)
    markdown = render_markdown(morning)
    path = None
    if report_dir:
        path = Path(report_dir) / f"run-{run_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    store.finish_run(run_id, summary.to_dict())
    notified = send_notification(report.notify_urls, notification_for(morning)) if report.notify else None
    # The report names calls, handlers and reasons: which ones went out, and where, is audited.
    store.audit("nightly", "morning_report", None, {
        "run_id": run_id, "file": str(path) if path else None, "call_ids": sorted({f.call_id for f in morning.flags}),
        "notified": notified})
    return FinishedRun(summary, markdown, path, notified)


def fail_run(store: Store, run_id: int, folder: str, exc: BaseException) -> None:
    """A crash is a failed run with its error, not one left "running" (a kill -9 is marked
    interrupted by the next run instead)."""
    store.record_error(run_id, folder, "analysis", f"the run stopped: {exc!r}"[:2000])
    store.finish_run(run_id, {"error": repr(exc)[:2000]}, status="failed")
