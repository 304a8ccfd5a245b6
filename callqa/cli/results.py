"""`callqa flags`, `callqa status`, `callqa export vtt|csv`: reading the store's results.

All of them open an existing store (never create or migrate one). `--json` prints one JSON
document (an array for a list); text shows times in UK local time, ISO 8601 with the offset.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from callqa.cli import EXIT_OK, local_time, open_store, print_json, same_text, write_text
from callqa.errors import CallQAError


class ResultFileError(CallQAError):
    """A result JSON file that cannot be read: a bad input file."""

    exit_code = 4


def cmd_flags(args: argparse.Namespace) -> int:
    from callqa.store import parse_date

    since = parse_date(args.since, "--since")
    rows = [row for row in open_store(args.db).flagged(since=since)
            if (args.area is None or same_text(row["area"], args.area))
            and (args.handler is None or same_text(row["handler_id"], args.handler))]
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
        print_json(list(calls.values()))
        return EXIT_OK
    if not calls:
        print("no flagged calls", file=sys.stderr)
    for unsure in (False, True):  # findings first; unsure flags apart, as questions for a QA lead
        chosen = [c for c in calls.values() if any(f["needs_review"] == unsure for f in c["flags"])]
        if unsure and chosen:
            print("\nNeeds review (callqa is unsure: listen before treating these as findings):")
        for call in chosen:
            score = "n/a" if call["score"] is None else f"{call['score']:.0f}"
            print(f"{call['call_id']}  {local_time(call['started_at'])}  {call['call_type']}  {call['area']}  "
                  f"handler {call['handler_id']}  score {score}  priority {call['review_priority']}")
            for flag in (f for f in call["flags"] if f["needs_review"] == unsure):
                times = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in flag["evidence_s"] or []) or f"{flag['start_s']:.1f} s"
                sure = "" if flag["confidence"] is None else f" (confidence {flag['confidence']:.2f})"
                print(f"    [{flag['severity']}] {flag['indicator']}: {flag['reason']} [evidence {times}]{sure}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    runs = open_store(args.db).runs(args.limit)
    if args.json:
        print_json(runs)
        return EXIT_OK
    if not runs:
        print("no runs yet", file=sys.stderr)
    for run in runs:
        c = (run["summary"] or {}).get("counts", {})
        done = f"{c.get('analysed', 0)} analysed, {c.get('failed', 0)} failed, {c.get('flagged', 0)} flagged" \
            if c else "-"
        print(f"run {run['id']:4d}  {run['status']:11}  {local_time(run['started_at'])}  "
              f"{run['export_dir']}  {run['engine']} {run['model']}  rules {run['rules_version']}  {done}")
    return EXIT_OK


def cmd_export_vtt(args: argparse.Namespace) -> int:
    from callqa.result_files import to_webvtt

    source = Path(args.call)
    if source.suffix == ".json" and source.is_file():
        try:
            result = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResultFileError(f"{source}: not a callqa result JSON ({exc})") from None
        if not isinstance(result, dict) or "transcript" not in result:
            raise ResultFileError(f"{source}: not a callqa result JSON (no transcript)")
    else:
        result = open_store(args.db).call_result(args.call)
        if result is None:
            raise CallQAError(f"no stored result for call {args.call!r}")
    write_text(to_webvtt(result), args.out)
    return EXIT_OK


def cmd_export_csv(args: argparse.Namespace) -> int:
    from callqa.result_files import indicator_table_csv
    from callqa.store import parse_date

    since = parse_date(args.since, "--since")
    rows = open_store(args.db).indicator_table(run_id=args.run, since=since)
    write_text(indicator_table_csv(rows), args.out)
    print(f"{len(rows)} call(s)", file=sys.stderr)
    return EXIT_OK


def _out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", "--output", dest="out", metavar="FILE", help="file to write (default: stdout)")


def register(subparsers: Any, common: Any) -> None:
    flags = common.parser(subparsers, "flags", help="list flagged calls with reasons and evidence times")
    common.db(flags)
    flags.add_argument("--since", metavar="DATE",
                       help="calls that started on or after this date (YYYY-MM-DD or ISO 8601; no offset means UTC)")
    flags.add_argument("--area", help="only this area (any case)")
    flags.add_argument("--handler", help="only this handler id (any case)")
    common.json(flags, "one JSON array of flagged calls (each with its flags) instead of text")
    flags.set_defaults(func=cmd_flags)

    status = common.parser(subparsers, "status", help="show the last batch runs")
    common.db(status)
    status.add_argument("--limit", type=int, default=10, metavar="N", help="how many runs, newest first")
    common.json(status, "one JSON array of runs (with their summaries) instead of text")
    status.set_defaults(func=cmd_status)

    export = common.parser(subparsers, "export", help="export a transcript as WebVTT or the indicator table as CSV")
    formats = export.add_subparsers(dest="format", required=True, metavar="FORMAT")
    vtt = common.parser(formats, "vtt", help="a call's transcript as WebVTT (speakers as voices, flags as notes)")
    vtt.add_argument("call", help="a stored call_id, or a result JSON file from callqa analyze")
    common.db(vtt)
    _out(vtt)
    vtt.set_defaults(func=cmd_export_vtt)
    table = common.parser(formats, "csv", help="one row per call: score, priority and each indicator's status")
    common.db(table)
    table.add_argument("--run", type=int, metavar="N", help="only the calls scored in this run (default: all)")
    table.add_argument("--since", metavar="DATE", help="calls that started on or after this date (default: all)")
    _out(table)
    table.set_defaults(func=cmd_export_csv)
