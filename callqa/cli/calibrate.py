"""`callqa calibrate --decisions`: how often QA leads agree with the flags, per indicator, rules
version and week (the review app's /calibration shows the same). Panel answers against the
automation stay `callqa panel calibrate`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from callqa.cli import EXIT_OK, UsageError, login_name, open_store, print_json


def cmd_calibrate(args: argparse.Namespace) -> int:
    from callqa.store import parse_date
    from callqa.tuning.agreement import agreement_by_indicator, agreement_by_week, agreement_text

    if not args.decisions:
        raise UsageError("say what to calibrate: --decisions (QA leads' decisions on flags); "
                         "panel answers are `callqa panel calibrate`")
    store = open_store(args.db)
    flags = store.decided_flags(since=parse_date(args.since, "--since"))
    overall, weekly = agreement_by_indicator(flags), agreement_by_week(flags)
    store.audit(login_name(), "view_agreement", details={"view": "cli", "since": args.since, "decisions": len(flags)})
    if args.json:  # JSON Lines: one object per row, `kind` total or week
        for row in overall:
            print_json({"kind": "total", **row.to_dict()}, compact=True)
        for row in weekly:
            print_json({"kind": "week", **row.to_dict()}, compact=True)
        return EXIT_OK
    sys.stdout.write(agreement_text(overall, weekly))
    return EXIT_OK


def register(subparsers: Any, common: Any) -> None:
    calib = common.parser(subparsers, "calibrate",
                          help="agreement of QA leads' decisions with the flags, per indicator, rules version and week")
    calib.add_argument("--decisions", action="store_true",
                       help="QA leads' confirm/dismiss decisions on flags (the only source for now)")
    calib.add_argument("--since", metavar="DATE",
                       help="decisions made on or after this date (YYYY-MM-DD or ISO 8601; default: all)")
    common.json(calib, "JSON Lines instead of text: one object per row, kind 'total' (per indicator and rules "
                       "version) or 'week'")
    common.db(calib)
    calib.set_defaults(func=cmd_calibrate)
