"""`callqa run` (the nightly batch once) and `callqa serve` (its Prefect schedule).

Both check what they can before Prefect loads (the export folder, the --db URL, the settings and
the rule pack), so a typo is one `callqa: error:` line within a second, not a temporary Prefect
server and a traceback. These are the only commands that may create or migrate a store.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from callqa.cli import EXIT_OK, EXIT_PROBLEMS, LOCAL_TIMEZONE, load_settings
from callqa.errors import CallQAError, ConfigError


def _quiet_prefect() -> None:
    """Call recordings are personal data: Prefect sends no analytics from callqa, ever."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the progress bar and summary say enough


def check_export_dir(folder: str) -> None:
    """The export folder exists, is a folder, and can be listed and read."""
    from callqa.messages import show_path
    from callqa.recorder_export import ExportError

    path = Path(folder)
    if not path.exists():
        raise ExportError(f"export folder not found: {show_path(folder)}")
    if not path.is_dir():
        raise ExportError(f"export folder is not a directory: {show_path(folder)}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ExportError(f"{show_path(folder)}: the export folder cannot be read (permissions)")


def check_db_url(db: str | None) -> str:
    """The --db URL resolved and parsed; a server store answers; for SQLite, its folder exists or
    can be created."""
    from callqa.store import StoreError, check_store_reachable, check_store_url, sqlite_path

    url = check_store_url(db)
    check_store_reachable(url)
    path = sqlite_path(url)
    if path is not None:
        folder = path.absolute().parent
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir():
            raise StoreError(f"the store {path} cannot be created: {existing} is not a folder")
        if existing == folder and path.exists() and path.is_dir():
            raise StoreError(f"the store {path} is a folder; give a file name (e.g. {path / 'callqa.db'})")
        if existing != folder and not os.access(existing, os.W_OK | os.X_OK):
            raise StoreError(f"the store {path} cannot be created: its folder {folder} does not exist and "
                             f"{existing} is read-only")
    return url


def check_settings(config_path: str | None) -> None:
    """The settings TOML and the rule pack it names load (each validated once, with a typed error)."""
    from callqa.pipeline.rules import load_rule_pack

    config = load_settings(config_path)
    try:
        load_rule_pack(config.rules)
    except CallQAError as exc:
        if type(exc) is CallQAError:
            raise ConfigError(str(exc)) from None
        raise


def check_reader(reader: str | None) -> None:
    if reader:
        from callqa.recorder_export import READERS, ExportError, load_entry_point_readers

        load_entry_point_readers()
        if reader not in READERS:
            raise ExportError(f"unknown export reader {reader!r}; known readers: {', '.join(READERS)}")


def check_report_settings(args: argparse.Namespace) -> Any:
    """The morning report's settings ([report], --report-base-url, the environment), validated."""
    from callqa.report_settings import load_report_settings

    return load_report_settings(args.config, getattr(args, "report_base_url", None))


def preflight(args: argparse.Namespace) -> str:
    """Everything `run`/`serve` can check before Prefect: the store URL comes back resolved."""
    check_export_dir(args.export_dir)
    url = check_db_url(args.db)
    check_report_settings(args)
    check_settings(args.config)
    check_reader(getattr(args, "reader", None))
    return url


def cmd_run(args: argparse.Namespace) -> int:
    """Prepare the night without Prefect (stage lines on stderr), close it here when there is
    nothing to do, else hand it to the nightly flow, Prefect having started meanwhile."""
    import time

    started = time.perf_counter()
    db = preflight(args)
    _quiet_prefect()
    from callqa.batch import finish_run, load_settings as load_night_settings
    from callqa.batch.prepare import prepare_night
    from callqa.batch.stages import StageLines
    from callqa.store import Store

    say = StageLines(sys.stderr, started=started)
    report_settings = check_report_settings(args)
    settings = load_night_settings(args.config)
    prefect = PrefectStarter(say)
    prepared = prepare_night(Store(db), args.export_dir, args.reader, settings, args.workers, say=say,
                             on_work=prefect.start, started=started)
    if not prepared.has_work:
        say("nothing to analyse or re-score: closing the run without Prefect")
        try:
            finished = finish_run(prepared.store, prepared.listing, prepared.run_id, prepared.night.done, settings,
                                  prepared.workers, prepared.started_at, prepared.wall_s, args.report_dir or None,
                                  report_settings)
        finally:
            prepared.close()
        summary = finished.summary.to_dict()
    else:
        summary = _run_in_prefect(prepared, prefect, args, report_settings, say)
    _print_summary(summary, db, args.report_dir)
    return EXIT_PROBLEMS if summary["errors"] else EXIT_OK


class PrefectStarter:
    """Imports Prefect and makes sure its API answers, in a thread, while the parent hashes and
    plans; started only once the night is known to have work."""

    def __init__(self, say: Any) -> None:
        self.say = say
        self._future: Any = None

    def start(self) -> None:
        if self._future is None:
            from concurrent.futures import ThreadPoolExecutor

            self.say("starting Prefect in the background")
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callqa-prefect")
            self._future = executor.submit(self._connect)
            executor.shutdown(wait=False)

    @staticmethod
    def _connect() -> str:
        from callqa.flows.nightly import hide_expected_tracebacks, prefect_ready

        hide_expected_tracebacks()  # a rejected export is one `callqa: error:` line, not a Prefect traceback
        return prefect_ready()

    def wait(self) -> str:
        self.start()
        if not self._future.done():
            self.say("waiting for Prefect")
        return self._future.result()


def _run_in_prefect(prepared: Any, prefect: PrefectStarter, args: argparse.Namespace, report_settings: Any,
                    say: Any) -> dict[str, Any]:
    from callqa.batch.night import fail_run

    try:
        where = prefect.wait()
    except BaseException as exc:
        prepared.close()
        if isinstance(exc, Exception):
            fail_run(prepared.store, prepared.run_id, str(prepared.listing.folder), exc)
        raise
    say(f"Prefect ready ({where})")
    from callqa.batch.progress import progress_display
    from callqa.flows.nightly import run_prepared_flow

    night = prepared.night
    display = None
    if night.to_analyze:
        workers = prepared.pool.workers if prepared.pool else prepared.workers
        total = sum(prepared.expected_s.values())
        from callqa.batch.progress import audio_amount

        say(f"analysing {len(night.to_analyze)} calls ({audio_amount(total)} of audio) in {workers} worker process(es)")
        display = progress_display(total, sys.stderr, force_bar=args.progress)
    return run_prepared_flow(prepared, args.report_dir or None, report_settings, display)


def _print_summary(summary: dict[str, Any], db: str, report_dir: str | None) -> None:
    c = summary["counts"]
    print(f"run {summary['run_id']}: {c['calls']} calls: {c['analysed']} analysed, {c['rescored']} re-scored, "
          f"{c['skipped']} already done, {c['failed']} failed, {c['training']} training (not scored), "
          f"{c['flagged']} flagged; {c['export_errors']} bad manifest rows", file=sys.stderr)
    print(f"{summary['audio_hours']:.3f} h of audio in {summary['wall_s']:.1f} s "
          f"({summary['realtime_factor']:.1f}x real time) with {summary['workers']} worker(s); store {db}",
          file=sys.stderr)
    from callqa.messages import printable

    for problem in summary["errors"]:
        print(f"  problem: {printable(problem, limit=None)}", file=sys.stderr)
    if report_dir:
        report = Path(report_dir) / f"run-{summary['run_id']}.md"
        print(f"report: {report}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    preflight(args)
    _quiet_prefect()
    from callqa.flows.nightly import hide_expected_tracebacks
    from callqa.flows.schedule import serve_nightly

    hide_expected_tracebacks()
    serve_nightly(export_dir=args.export_dir, db=args.db, workers=args.workers, config_path=args.config,
                  at=args.at, timezone=args.timezone, dry_run=args.dry_run)
    return EXIT_OK


PREFECT_NOTE = ("With PREFECT_API_URL set, the run is recorded on that Prefect server; otherwise a temporary one "
                "lives inside the process (a run with nothing to do starts none). CALLQA_DB names the store when "
                "--db is not given.")


def register(subparsers: Any, common: Any) -> None:
    run = common.parser(subparsers, "run", help="run the nightly batch once over a recorder export (no server needed)",
                        epilog=PREFECT_NOTE + " Exit 3 when some calls or rows had problems.")
    run.add_argument("export_dir", help="export folder: manifest.csv or JSON sidecars beside the audio")
    common.db(run)
    run.add_argument("--workers", type=int, default=1, help="worker processes, one speech-model thread each")
    common.config(run)
    run.add_argument("--reader", help="export reader (default: detect manifest.csv, else JSON sidecars)")
    run.add_argument("--report-dir", default="callqa-reports", metavar="DIR",
                     help="where run-N.md reports go ('' for none)")
    run.add_argument("--report-base-url", metavar="URL",
                     help="the review app's address for the report's call links (https://host[:port][/path]); "
                          "env CALLQA_REPORT_BASE_URL; else [report] base_url in --config")
    run.add_argument("--progress", action="store_true",
                     help="progress bar even when stderr is not a terminal (else plain progress lines)")
    run.set_defaults(func=cmd_run)

    serve = common.parser(subparsers, "serve", help="register and run the nightly schedule (Prefect)",
                          epilog=PREFECT_NOTE)
    serve.add_argument("export_dir", help="folder the recorder exports to each night")
    common.db(serve)
    serve.add_argument("--workers", type=int, default=1, help="worker processes, one speech-model thread each")
    common.config(serve)
    serve.add_argument("--at", default="02:00", metavar="HH:MM", help="local time to run each night")
    serve.add_argument("--timezone", default=LOCAL_TIMEZONE, help="time zone of --at (GMT/BST for Europe/London)")
    serve.add_argument("--dry-run", action="store_true", help="print the schedule and exit")
    serve.set_defaults(func=cmd_serve)
