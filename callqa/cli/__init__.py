"""`callqa` command line: analyse calls, run the nightly batch, list flags and runs, re-score."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from callqa.pipeline.audio import LAYOUTS
from callqa.pipeline.config import LOCAL_TIMEZONE, load_config
from callqa.pipeline.errors import CallQAError
from callqa.messages import printable
from callqa.pipeline.stt.base import ENGINES

STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "n/a"}


def login_name() -> str:
    """Who ran the command, for audit records; a container user with no passwd entry is "callqa"."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "callqa"


def summary(result: dict) -> str:
    """A few lines a QA lead can read: each indicator, its reason, and where to listen."""
    lines = [f"{result['call_id']}: {result['duration_s']:.1f} s, {result['layout']}, "
             f"{result['engine']['name']} {Path(result['engine']['model']).name}, rules {result['rules_version']}"]
    review = {f["indicator"] for f in result["flags"] if f.get("needs_review")}
    for name, ind in result["indicators"].items():
        unsure = f" (needs review: confidence {ind.get('confidence', 0):.2f})" if name in review else ""
        lines.append(f"  {STATUS_MARK[ind['status']]:4} {name:20} {ind['reason']}{unsure}")
    score = "n/a" if result.get("score") is None else f"{result['score']:.0f}/100"
    unsure = sum(1 for f in result["flags"] if f.get("needs_review"))
    lines.append(f"  score {score}; review priority {result.get('review_priority', 'normal')}; "
                 f"{len(result['flags'])} flag(s)" + (f", {unsure} needing review" if unsure else ""))
    stats = result.get("stats", {})
    if stats.get("total_s"):
        lines.append(f"  analysed in {stats['total_s']:.1f} s "
                     f"({result['duration_s'] / stats['total_s']:.0f}x real time; "
                     f"decoded {stats['speech_decoded_s']:.0f} of {stats['channel_audio_s']:.0f} channel-seconds)")
    return "\n".join(lines)


class StderrProgress:
    """One self-overwriting line on a terminal; silent when stderr is a file (batch logs)."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name, self.enabled, self.last = name, enabled, -1

    def __call__(self, stage: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if self.enabled and percent != self.last:
            self.last = percent
            print(f"\r{self.name}: {stage} {percent:3d}%", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled and self.last >= 0:
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    from callqa.pipeline.analyze import Analyzer

    many = len(args.audio) > 1
    if many and args.json:
        # One result per file, named by its stem: two files with one stem would overwrite each other.
        by_name: dict[str, list[str]] = {}
        for audio in args.audio:
            by_name.setdefault(f"{Path(audio).stem}.json", []).append(audio)
        clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
        if clashes:
            for name, paths in clashes.items():
                print(f"callqa: error: {' and '.join(paths)} would all be written to {Path(args.json) / name}; "
                      "rename them or analyse them in separate runs", file=sys.stderr)
            return 2
    config = load_config(args.config, engine=args.engine, model=args.model, rules=args.rules)
    analyzer = Analyzer(config)
    status = 0
    if many and args.json and not Path(args.json).is_dir():
        Path(args.json).mkdir(parents=True, exist_ok=True)
    for audio in args.audio:
        progress = StderrProgress(Path(audio).name, args.progress or sys.stderr.isatty())
        try:
            result = analyzer.analyze(audio, args.layout, call_id=args.call_id if not many else None,
                                      progress=progress, call_type=args.call_type,
                                      answer_delay_s=args.answer_delay).to_dict()
        except CallQAError as exc:
            progress.done()
            print(f"callqa: error: {exc.user_message()}", file=sys.stderr)
            status = 2
            continue
        progress.done()
        text = json.dumps(result, indent=2, ensure_ascii=False)
        if args.json:
            target = Path(args.json) / f"{result['call_id']}.json" if many else Path(args.json)
            target.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        if args.summary or args.json:
            print(summary(result), file=sys.stderr)
    return status


def _quiet_prefect() -> None:
    """Call recordings are personal data: Prefect sends no analytics from callqa, ever."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the progress bar and summary say enough


def cmd_run(args: argparse.Namespace) -> int:
    _quiet_prefect()
    from callqa.flows.nightly import hide_expected_tracebacks, nightly
    from callqa.store import resolve_db_url

    hide_expected_tracebacks()  # a rejected export is one `callqa: error:` line, not a Prefect traceback
    db = resolve_db_url(args.db)
    summary = nightly(export_dir=args.export_dir, db=db, workers=args.workers, config_path=args.config,
                      reader=args.reader, report_dir=args.report_dir, progress=args.progress or sys.stderr.isatty())
    c = summary["counts"]
    print(f"run {summary['run_id']}: {c['calls']} calls: {c['analysed']} analysed, {c['rescored']} re-scored, "
          f"{c['skipped']} already done, {c['failed']} failed, {c['training']} training (not scored), "
          f"{c['flagged']} flagged; {c['export_errors']} bad manifest rows", file=sys.stderr)
    print(f"{summary['audio_hours']:.3f} h of audio in {summary['wall_s']:.1f} s "
          f"({summary['realtime_factor']:.1f}x real time) with {summary['workers']} worker(s); store {db}",
          file=sys.stderr)
    for problem in summary["errors"]:
        print(f"  problem: {printable(problem, limit=None)}", file=sys.stderr)
    if args.report_dir:
        report = Path(args.report_dir) / f"run-{summary['run_id']}.md"
        print(f"report: {report}", file=sys.stderr)
    return 3 if summary["errors"] else 0


def cmd_flags(args: argparse.Namespace) -> int:
    from callqa.store import Store, parse_date

    rows = Store(args.db).flagged(since=parse_date(args.since, "--since"), area=args.area, handler=args.handler)
    calls: dict[str, dict] = {}
    for row in rows:
        call = calls.setdefault(row["call_id"], {
            "call_id": row["call_id"], "started_at": row["started_at"].isoformat(), "call_type": row["call_type"],
            "area": row["area"], "handler_id": row["handler_id"], "rules_version": row["rules_version"],
            "score": row["score"], "review_priority": row["review_priority"], "flags": []})
        call["flags"].append({"indicator": row["indicator"], "severity": row["severity"], "reason": row["reason"],
                              "start_s": row["start_s"], "evidence_s": row["evidence_s"],
                              "confidence": row["confidence"], "needs_review": bool(row["needs_review"])})
    if args.json:
        print(json.dumps(list(calls.values()), indent=2))
        return 0
    if not calls:
        print("no flagged calls", file=sys.stderr)
    for unsure in (False, True):  # findings first; unsure flags apart, as questions for a QA lead
        chosen = [c for c in calls.values() if any(f["needs_review"] == unsure for f in c["flags"])]
        if unsure and chosen:
            print("\nNeeds review (callqa is unsure: listen before treating these as findings):")
        for call in chosen:
            score = "n/a" if call["score"] is None else f"{call['score']:.0f}"
            print(f"{call['call_id']}  {call['started_at'][:16]}  {call['call_type']}  {call['area']}  "
                  f"handler {call['handler_id']}  score {score}  priority {call['review_priority']}")
            for flag in (f for f in call["flags"] if f["needs_review"] == unsure):
                times = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in flag["evidence_s"] or []) or f"{flag['start_s']:.1f} s"
                sure = "" if flag["confidence"] is None else f" (confidence {flag['confidence']:.2f})"
                print(f"    [{flag['severity']}] {flag['indicator']}: {flag['reason']} [evidence {times}]{sure}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from callqa.store import Store

    runs = Store(args.db).runs(args.limit)
    if args.json:
        print(json.dumps(runs, indent=2, default=str))
        return 0
    if not runs:
        print("no runs yet", file=sys.stderr)
    for run in runs:
        c = (run["summary"] or {}).get("counts", {})
        done = f"{c.get('analysed', 0)} analysed, {c.get('failed', 0)} failed, {c.get('flagged', 0)} flagged" \
            if c else "-"
        print(f"run {run['id']:4d}  {run['status']:11}  {run['started_at']:%Y-%m-%d %H:%M}  "
              f"{run['export_dir']}  {run['engine']} {run['model']}  rules {run['rules_version']}  {done}")
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from callqa.rescore import rescore_store
    from callqa.pipeline.rules import load_rule_pack
    from callqa.store import Store

    config = load_config(args.config, rules=args.rules)
    summary = rescore_store(Store(args.db), load_rule_pack(config.rules), engine=config.stt.engine,
                            model=config.stt.model)
    print(f"re-scored {summary.rescored} call(s) with rules {summary.rules_version} in {summary.seconds:.2f} s "
          f"({summary.calls_per_second:.0f} calls/s); {summary.flagged} flagged", file=sys.stderr)
    return 0


def cmd_voiceprints(args: argparse.Namespace) -> int:
    """List who has an enrolled voiceprint (never the vectors), or erase one handler's."""
    from callqa.store import Store

    store = Store(args.db)
    if args.delete:
        removed = store.delete_voiceprint(args.delete)
        store.audit(login_name(), "voiceprint_delete", details={"handler_id": args.delete, "samples": removed})
        print(f"deleted {removed} voice sample(s) of handler {args.delete}", file=sys.stderr)
        return 0
    prints = store.voiceprints()
    if args.json:
        print(json.dumps(prints, indent=2, default=str))
        return 0
    if not prints:
        print("no voiceprints yet: they are enrolled from handlers' stereo calls", file=sys.stderr)
    for p in prints:
        print(f"{p['handler_id']:24s} {p['calls']:5d} call(s) {p['seconds']:8.1f} s of speech  "
              f"updated {p['updated_at']:%Y-%m-%d %H:%M}  {p['encoder']}")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the live store (safe while a run or the review app is using it)."""
    from callqa.store import Store

    target = Store(args.db).backup(args.destination)
    print(f"backed up the store to {target}", file=sys.stderr)
    return 0


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_export_vtt(args: argparse.Namespace) -> int:
    from callqa.result_files import to_webvtt
    from callqa.store import Store

    source = Path(args.call)
    if source.suffix == ".json" and source.is_file():
        try:
            result = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CallQAError(f"{source}: not a callqa result JSON ({exc})") from None
    else:
        result = Store(args.db).call_result(args.call)
        if result is None:
            raise CallQAError(f"no stored result for call {args.call!r}")
    _write(to_webvtt(result), args.output)
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    from callqa.result_files import indicator_table_csv
    from callqa.store import Store, parse_date

    rows = Store(args.db).indicator_table(run_id=args.run, since=parse_date(args.since, "--since"))
    _write(indicator_table_csv(rows), args.output)
    print(f"{len(rows)} call(s)", file=sys.stderr)
    return 0


def cmd_panel_sample(args: argparse.Namespace) -> int:
    import secrets

    from callqa.panel.sampling import SampleFilters, sample
    from callqa.store import Store

    filters = SampleFilters(n=args.n, areas=tuple(args.areas or ()), date_from=args.date_from, date_to=args.date_to,
                            call_types=tuple(x.strip() for x in args.call_types.split(",") if x.strip()),
                            min_999=args.min_999, flagged_share=args.flagged_share)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**9)
    draw = sample(Store(args.db), args.panel, filters, seed, args.requested_by or login_name())
    if args.json:
        print(json.dumps({"draw_id": draw.draw_id, "panel": draw.panel, "seed": draw.seed, "eligible": draw.eligible,
                          "calls": [{"call_id": c, "stratum": s} for c, s in draw.calls]}))
        return 0
    print(f"panel {draw.panel}: draw {draw.draw_id}, seed {draw.seed}, {len(draw.calls)} of {draw.eligible} "
          f"eligible call(s); re-check with: callqa panel redraw {draw.draw_id}", file=sys.stderr)
    for call_id, stratum in draw.calls:
        print(f"{call_id}\t{stratum}")
    return 0


def cmd_panel_redraw(args: argparse.Namespace) -> int:
    from callqa.panel.sampling import redraw
    from callqa.store import Store

    recorded, again = redraw(Store(args.db), args.draw_id)
    same = [tuple(c) for c in recorded["calls"]] == again
    print(f"draw {recorded['id']} for panel {recorded['panel']} by {recorded['requested_by']} at "
          f"{recorded['requested_at']}, seed {recorded['seed']}, filters {recorded['filters']}")
    print("re-drawn with the same filters and seed: " + ("the same calls, in the same order" if same else
          "DIFFERENT calls: the eligible calls changed since, or the record was altered"))
    return 0 if same else 1


def cmd_panel_questionnaire(args: argparse.Namespace) -> int:
    from callqa.panel.questionnaire import load_questionnaire

    questionnaire = load_questionnaire(args.file)
    if args.json:
        print(json.dumps(questionnaire.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(f"{questionnaire.ref}: {questionnaire.title} ({questionnaire.source}; valid)")
    for i, q in enumerate(questionnaire.questions, start=1):
        kind = q.answer if q.answer != "scale" else f"scale {q.min}-{q.max}" + (
            f", met at {q.pass_at}+" if q.pass_at is not None else "")
        print(f"{i:2d}. {q.id} [{kind}; {'indicator ' + q.indicator if q.indicator else 'not compared'}]: {q.text}")
        if q.answer != "text":
            print(f"      answers: {', '.join(q.choices)}")
        if q.help:
            print(f"      help: {q.help}")
    return 0


def cmd_panel_import(args: argparse.Namespace) -> int:
    from callqa.panel.answers import describe, import_answers
    from callqa.panel.questionnaire import load_questionnaire
    from callqa.store import Store

    questionnaire = load_questionnaire(args.questionnaire)
    summary = import_answers(Store(args.db), args.answers, questionnaire,
                             actor=args.imported_by or login_name())
    for line in describe(summary):
        print(line)
    print(f"imported {len(summary.files)} file(s): {summary.stored} answer(s) on {questionnaire.ref}"
          + (f", {summary.replaced} earlier answer(s) replaced" if summary.replaced else ""), file=sys.stderr)
    return 0


def cmd_panel_calibrate(args: argparse.Namespace) -> int:
    from callqa.panel.calibrate import calibrate, report_text, write_plot
    from callqa.panel.questionnaire import load_questionnaire
    from callqa.store import Store

    result = calibrate(Store(args.db), load_questionnaire(args.questionnaire), draw_id=args.draw, panel=args.panel,
                       since=args.since)
    plot = str(write_plot(result, args.plot)) if args.plot else None
    if args.json:
        print(json.dumps({**result.to_json(), "plot": plot}, indent=2, ensure_ascii=False))
        return 0
    sys.stdout.write(report_text(result))
    if plot:
        print(f"plot: {plot}")
    return 0


def cmd_panel_pack(args: argparse.Namespace) -> int:
    from callqa.panel.pack import build_pack
    from callqa.panel.questionnaire import load_questionnaire
    from callqa.store import Store

    redaction = load_config(args.config).redaction if args.config else None
    pack = build_pack(Store(args.db), args.draw_id, args.out, questionnaire=load_questionnaire(args.questionnaire),
                      redact=not args.no_redact, reason=args.reason, actor=args.requested_by or login_name(),
                      redaction_config=redaction, overwrite=args.overwrite)
    redacted = sum(sum(c.redactions.values()) for c in pack.calls)
    privacy = f"{redacted} personal detail(s) redacted" if pack.redacted else "NOT REDACTED (recorded in the audit log)"
    print(f"pack for draw {pack.draw_id} ({pack.panel}): {len(pack.calls)} calls, {privacy}")
    print(f"open {pack.index}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _quiet_prefect()
    from callqa.flows.schedule import serve_nightly

    serve_nightly(export_dir=args.export_dir, db=args.db, workers=args.workers, config_path=args.config,
                  at=args.at, timezone=args.timezone, dry_run=args.dry_run)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callqa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    analyze = sub.add_parser("analyze", help="analyse recorded call(s) and write the result JSON")
    analyze.add_argument("audio", nargs="+", help="call recording(s): WAV, FLAC, MP3, GSM 6.10 WAV")
    analyze.add_argument("--layout", choices=LAYOUTS,
                         help="channel layout (default: stereo-handler-left for 2 channels, mono for 1)")
    analyze.add_argument("--engine", choices=ENGINES, help="speech-to-text engine (default faster-whisper)")
    analyze.add_argument("--model", help="bundled model name (tiny.en, base) or a path to model files")
    analyze.add_argument("--config", help="TOML file overriding [vad]/[stt] settings and the rule pack")
    analyze.add_argument("--rules", help="rule pack TOML (default: models/rules/staffordshire.toml)")
    analyze.add_argument("--call-id", help="call id (default: the file name without extension)")
    analyze.add_argument("--call-type", choices=("101", "999"), help="from the recorder's metadata (answer_time)")
    analyze.add_argument("--answer-delay", type=float, metavar="SECONDS",
                         help="seconds the caller waited to be answered (answer_time)")
    analyze.add_argument("--json", metavar="OUT", help="write JSON here (a folder when several files are given)")
    analyze.add_argument("--summary", action="store_true", help="print a human-readable summary on stderr")
    analyze.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    analyze.set_defaults(func=cmd_analyze)

    db_help = "store URL (sqlite:///file.db or postgresql+psycopg://...); default $CALLQA_DB, else callqa.db"
    run = sub.add_parser("run", help="run the nightly batch once over a recorder export (no server needed)")
    run.add_argument("export_dir", help="export folder: manifest.csv or JSON sidecars beside the audio")
    run.add_argument("--db", help=db_help)
    run.add_argument("--workers", type=int, default=1, help="worker processes, one speech-model thread each")
    run.add_argument("--config", help="settings TOML (see callqa analyze --config)")
    run.add_argument("--reader", help="export reader (default: detect manifest.csv, else JSON sidecars)")
    run.add_argument("--report-dir", default="callqa-reports", help="where run-N.md reports go ('' for none)")
    run.add_argument("--progress", action="store_true", help="progress bar even when stderr is not a terminal")
    run.set_defaults(func=cmd_run)

    flags = sub.add_parser("flags", help="list flagged calls with reasons and evidence times")
    flags.add_argument("--db", help=db_help)
    flags.add_argument("--since", help="calls that started on or after this date (YYYY-MM-DD or ISO 8601)")
    flags.add_argument("--area")
    flags.add_argument("--handler", help="handler id")
    flags.add_argument("--json", action="store_true", help="JSON instead of text")
    flags.set_defaults(func=cmd_flags)

    status = sub.add_parser("status", help="show the last batch runs")
    status.add_argument("--db", help=db_help)
    status.add_argument("--limit", type=int, default=10)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    rescore = sub.add_parser("rescore", help="re-score stored transcripts with the current rules (no speech-to-text)")
    rescore.add_argument("--db", help=db_help)
    rescore.add_argument("--rules", help="rule pack TOML (default: the bundled pack)")
    rescore.add_argument("--config", help="settings TOML (its rules and engine/model)")
    rescore.set_defaults(func=cmd_rescore)

    db = sub.add_parser("db", help="the results store: back it up while it is in use")
    db_cmds = db.add_subparsers(dest="db_command", required=True)
    backup = db_cmds.add_parser("backup", help="copy the live store consistently (SQLite backup API, or pg_dump)")
    backup.add_argument("destination", help="a new file: a SQLite database, or a pg_dump custom-format archive")
    backup.add_argument("--db", help=db_help)
    backup.set_defaults(func=cmd_db_backup)

    voices = sub.add_parser("voiceprints", help="handlers' enrolled voiceprints (for mono calls): list or delete")
    voices.add_argument("--db", help=db_help)
    voices.add_argument("--delete", metavar="HANDLER", help="erase this handler's voice samples (audited)")
    voices.add_argument("--json", action="store_true")
    voices.set_defaults(func=cmd_voiceprints)

    export = sub.add_parser("export", help="export a transcript as WebVTT or the indicator table as CSV")
    formats = export.add_subparsers(dest="format", required=True)
    vtt = formats.add_parser("vtt", help="a call's transcript as WebVTT (speakers as voices, flags as notes)")
    vtt.add_argument("call", help="a stored call_id, or a result JSON file from callqa analyze")
    vtt.add_argument("--db", help=db_help)
    vtt.add_argument("-o", "--output", help="file to write (default: stdout)")
    vtt.set_defaults(func=cmd_export_vtt)
    table = formats.add_parser("csv", help="one row per call: score, priority and each indicator's status")
    table.add_argument("--db", help=db_help)
    table.add_argument("--run", type=int, help="only the calls scored in this run")
    table.add_argument("--since", help="calls that started on or after this date")
    table.add_argument("-o", "--output", help="file to write (default: stdout)")
    table.set_defaults(func=cmd_export_csv)

    panel = sub.add_parser("panel", help="scrutiny panels: random, auditable samples of scored calls")
    panel_cmds = panel.add_subparsers(dest="panel_command", required=True)
    draw = panel_cmds.add_parser("sample", help="draw a random, stratified, reproducible sample and record it")
    draw.add_argument("--panel", required=True, help="panel name")
    draw.add_argument("--n", type=int, required=True, help="number of calls")
    draw.add_argument("--areas", nargs="+", help="only these areas")
    draw.add_argument("--from", dest="date_from", help="calls that started on or after this date")
    draw.add_argument("--to", dest="date_to", help="calls that started before this date")
    draw.add_argument("--call-types", default="101,999", help="comma-separated: 101,999")
    draw.add_argument("--min-999", type=int, default=0, help="at least this many 999 calls")
    draw.add_argument("--flagged-share", type=float, default=0.0, help="share of flagged calls, 0-1")
    draw.add_argument("--seed", type=int, help="the panel's own seed (e.g. dice); default: a random one")
    draw.add_argument("--requested-by", help="who asked (default: the login name)")
    draw.add_argument("--json", action="store_true", help="print the draw as JSON (draw_id, seed, calls)")
    draw.add_argument("--db", help=db_help)
    draw.set_defaults(func=cmd_panel_sample)
    check = panel_cmds.add_parser("redraw", help="re-draw a recorded sample from its filters and seed")
    check.add_argument("draw_id", type=int)
    check.add_argument("--db", help=db_help)
    check.set_defaults(func=cmd_panel_redraw)

    questions = panel_cmds.add_parser("questionnaire", help="check and show a panel questionnaire (TOML)")
    questions.add_argument("file", nargs="?", help="questionnaire TOML (default: the bundled seven questions)")
    questions.add_argument("--json", action="store_true", help="the JSON a panel pack embeds")
    questions.set_defaults(func=cmd_panel_questionnaire)
    imports = panel_cmds.add_parser("import", help="import panel members' saved answers files (all or nothing)")
    imports.add_argument("answers", nargs="+", help="answers JSON file(s) saved from a panel pack")
    imports.add_argument("--questionnaire", help="questionnaire TOML the pack used (default: the bundled one)")
    imports.add_argument("--imported-by", help="who imports, for the audit log (default: the login name)")
    imports.add_argument("--db", help=db_help)
    imports.set_defaults(func=cmd_panel_import)
    calib = panel_cmds.add_parser("calibrate", help="agreement and Cohen's kappa between panel answers and automation")
    scope = calib.add_mutually_exclusive_group()
    scope.add_argument("--draw", type=int, help="only this draw's answers")
    scope.add_argument("--panel", help="only this panel's answers")
    calib.add_argument("--since", help="answers given on or after this date (YYYY-MM-DD or ISO 8601)")
    calib.add_argument("--questionnaire", help="questionnaire TOML (default: the bundled one)")
    calib.add_argument("--plot", metavar="FILE.svg", help="also write an SVG chart of agreement and kappa")
    calib.add_argument("--json", action="store_true", help="JSON instead of text")
    calib.add_argument("--db", help=db_help)
    calib.set_defaults(func=cmd_panel_calibrate)

    pack = panel_cmds.add_parser("pack", help="write a redacted, self-contained HTML panel pack for a draw")
    pack.add_argument("draw_id", type=int, help="the draw (from callqa panel sample)")
    pack.add_argument("--out", required=True, help="folder to write (index.html, audio/, README.txt)")
    pack.add_argument("--questionnaire", help="the panel's questionnaire TOML (default: the seven review questions)")
    pack.add_argument("--config", help="settings TOML: its [redaction] section (reference-number patterns)")
    pack.add_argument("--no-redact", action="store_true",
                      help="leave personal data in (needs --reason; written to the audit log)")
    pack.add_argument("--reason", help="why an unredacted pack is needed")
    pack.add_argument("--requested-by", help="who asked (default: the login name)")
    pack.add_argument("--overwrite", action="store_true", help="replace an earlier pack in --out")
    pack.add_argument("--db", help=db_help)
    pack.set_defaults(func=cmd_panel_pack)

    serve = sub.add_parser("serve", help="register and run the nightly schedule (Prefect)")
    serve.add_argument("export_dir", help="folder the recorder exports to each night")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--config")
    serve.add_argument("--at", default="02:00", help="local time to run each night, HH:MM (default 02:00)")
    serve.add_argument("--timezone", default=LOCAL_TIMEZONE)
    serve.add_argument("--dry-run", action="store_true", help="print the schedule and exit")
    serve.set_defaults(func=cmd_serve)

    from callqa.cli.review_app import add_parsers as add_web_parsers  # review app: `callqa web`, `callqa user`

    add_web_parsers(sub, db_help)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CallQAError as exc:
        print(f"callqa: error: {exc.user_message()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
