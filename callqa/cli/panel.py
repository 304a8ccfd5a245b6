"""`callqa panel sample|redraw|questionnaire|pack|import|calibrate`: scrutiny panels.

Every panel command that uses the store opens an existing one (never creates or migrates it).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from callqa.cli import EXIT_OK, EXIT_PROBLEMS, load_settings, local_time, login_name, open_store, print_json, same_text

REDRAW_DIFFERS = EXIT_PROBLEMS  # `callqa panel redraw`: it finished, and the re-draw gave different calls


def _load_questionnaire(path: str | None) -> Any:
    from callqa.panel.questionnaire import load_questionnaire

    return load_questionnaire(path)


def _stored_areas(store: Any, given: Sequence[str]) -> tuple[str, ...]:
    """--areas match case-insensitively: each is replaced by the store's spelling(s) of it, so the
    recorded filters (and `callqa panel redraw`) name what is stored."""
    if not given:
        return ()
    known = sorted({row["area"] for row in store.indicator_table() if row.get("area")})
    chosen: list[str] = []
    for area in given:
        for name in [k for k in known if same_text(k, area)] or [area]:
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)


def cmd_panel_sample(args: argparse.Namespace) -> int:
    import secrets

    from callqa.panel.sampling import SampleFilters, sample

    store = open_store(args.db)
    filters = SampleFilters(n=args.n, areas=_stored_areas(store, args.areas or ()), date_from=args.date_from, date_to=args.date_to,
                            call_types=tuple(x.strip() for x in args.call_types.split(",") if x.strip()),
                            min_999=args.min_999, flagged_share=args.flagged_share)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**9)
    draw = sample(store, args.panel, filters, seed, args.requested_by or login_name())
    if args.json:
        print_json({"draw_id": draw.draw_id, "panel": draw.panel, "seed": draw.seed, "eligible": draw.eligible,
                    "calls": [{"call_id": c, "stratum": s} for c, s in draw.calls]}, compact=True)
        return EXIT_OK
    print(f"panel {draw.panel}: draw {draw.draw_id}, seed {draw.seed}, {len(draw.calls)} of {draw.eligible} "
          f"eligible call(s); re-check with: callqa panel redraw {draw.draw_id}", file=sys.stderr)
    for call_id, stratum in draw.calls:
        print(f"{call_id}\t{stratum}")
    return EXIT_OK


def cmd_panel_redraw(args: argparse.Namespace) -> int:
    from callqa.panel.sampling import redraw

    recorded, again = redraw(open_store(args.db), args.draw_id)
    same = [tuple(c) for c in recorded["calls"]] == again
    print(f"draw {recorded['id']} for panel {recorded['panel']} by {recorded['requested_by']} at "
          f"{local_time(recorded['requested_at'])}, seed {recorded['seed']}, filters {recorded['filters']}")
    print("re-drawn with the same filters and seed: " + ("the same calls, in the same order" if same else
          "DIFFERENT calls: the eligible calls changed since, or the record was altered"))
    return EXIT_OK if same else REDRAW_DIFFERS


def cmd_panel_questionnaire(args: argparse.Namespace) -> int:
    questionnaire = _load_questionnaire(args.file)
    if args.json:
        print_json(questionnaire.to_json())
        return EXIT_OK
    print(f"{questionnaire.ref}: {questionnaire.title} ({questionnaire.source}; valid)")
    for i, q in enumerate(questionnaire.questions, start=1):
        kind = q.answer if q.answer != "scale" else f"scale {q.min}-{q.max}" + (
            f", met at {q.pass_at}+" if q.pass_at is not None else "")
        print(f"{i:2d}. {q.id} [{kind}; {'indicator ' + q.indicator if q.indicator else 'not compared'}]: {q.text}")
        if q.answer != "text":
            print(f"      answers: {', '.join(q.choices)}")
        if q.help:
            print(f"      help: {q.help}")
    return EXIT_OK


def cmd_panel_import(args: argparse.Namespace) -> int:
    from callqa.panel.answers import describe, import_answers

    questionnaire = _load_questionnaire(args.questionnaire)
    summary = import_answers(open_store(args.db), args.answers, questionnaire,
                             actor=args.imported_by or login_name())
    for line in describe(summary):
        print(line)
    print(f"imported {len(summary.files)} file(s): {summary.stored} answer(s) on {questionnaire.ref}"
          + (f", {summary.replaced} earlier answer(s) replaced" if summary.replaced else ""), file=sys.stderr)
    return EXIT_OK


def cmd_panel_calibrate(args: argparse.Namespace) -> int:
    from callqa.panel.calibrate import calibrate, report_text, write_plot

    questionnaire = _load_questionnaire(args.questionnaire)
    result = calibrate(open_store(args.db), questionnaire, draw_id=args.draw, panel=args.panel, since=args.since)
    plot = str(write_plot(result, args.plot)) if args.plot else None
    if args.json:
        print_json({**result.to_json(), "plot": plot})
        return EXIT_OK
    sys.stdout.write(report_text(result))
    if plot:
        print(f"plot: {plot}")
    return EXIT_OK


def cmd_panel_pack(args: argparse.Namespace) -> int:
    from callqa.panel.pack import build_pack

    redaction = load_settings(args.config).redaction if args.config else None
    questionnaire = _load_questionnaire(args.questionnaire)
    pack = build_pack(open_store(args.db), args.draw_id, args.out, questionnaire=questionnaire,
                      redact=not args.no_redact, reason=args.reason, actor=args.requested_by or login_name(),
                      redaction_config=redaction, overwrite=args.overwrite)
    redacted = sum(sum(c.redactions.values()) for c in pack.calls)
    privacy = f"{redacted} personal detail(s) redacted" if pack.redacted else "NOT REDACTED (recorded in the audit log)"
    print(f"pack for draw {pack.draw_id} ({pack.panel}): {len(pack.calls)} calls, {privacy}")
    print(f"open {pack.index}")
    return EXIT_OK


def register(subparsers: Any, common: Any) -> None:
    panel = common.parser(subparsers, "panel", help="scrutiny panels: random, auditable samples of scored calls")
    cmds = panel.add_subparsers(dest="panel_command", required=True, metavar="COMMAND")
    draw = common.parser(cmds, "sample", help="draw a random, stratified, reproducible sample and record it")
    draw.add_argument("--panel", required=True, help="panel name (required)")
    draw.add_argument("--n", type=int, required=True, help="number of calls (required)")
    draw.add_argument("--areas", nargs="+", metavar="AREA", help="only these areas (default: every area)")
    draw.add_argument("--from", dest="date_from", metavar="DATE",
                      help="calls that started on or after this date (default: any)")
    draw.add_argument("--to", dest="date_to", metavar="DATE", help="calls that started before this date (default: any)")
    draw.add_argument("--call-types", default="101,999", help="comma-separated call types")
    draw.add_argument("--min-999", type=int, default=0, metavar="K", help="at least this many 999 calls")
    draw.add_argument("--flagged-share", type=float, default=0.0, metavar="F", help="share of flagged calls, 0-1")
    draw.add_argument("--seed", type=int, help="the panel's own seed (e.g. dice); default: a random one, recorded")
    draw.add_argument("--requested-by", metavar="NAME", help="who asked (default: the login name)")
    common.json(draw, "print the draw as one JSON object (draw_id, panel, seed, eligible, calls)")
    common.db(draw)
    draw.set_defaults(func=cmd_panel_sample)

    check = common.parser(cmds, "redraw", help="re-draw a recorded sample from its filters and seed "
                                               "(exit 3 when the calls differ)")
    check.add_argument("draw_id", type=int, help="the draw (from callqa panel sample)")
    common.db(check)
    check.set_defaults(func=cmd_panel_redraw)

    questions = common.parser(cmds, "questionnaire", help="check and show a panel questionnaire (TOML)")
    questions.add_argument("file", nargs="?", help="questionnaire TOML (default: the bundled seven questions)")
    common.json(questions, "the JSON a panel pack embeds, instead of text")
    questions.set_defaults(func=cmd_panel_questionnaire)

    imports = common.parser(cmds, "import", help="import panel members' saved answers files (all or nothing)")
    imports.add_argument("answers", nargs="+", help="answers JSON file(s) saved from a panel pack")
    imports.add_argument("--questionnaire", metavar="FILE",
                         help="questionnaire TOML the pack used (default: the bundled one)")
    imports.add_argument("--imported-by", metavar="NAME", help="who imports, for the audit log (default: the login name)")
    common.db(imports)
    imports.set_defaults(func=cmd_panel_import)

    calib = common.parser(cmds, "calibrate", help="agreement and Cohen's kappa between panel answers and automation")
    scope = calib.add_mutually_exclusive_group()
    scope.add_argument("--draw", type=int, metavar="ID", help="only this draw's answers (default: all answers)")
    scope.add_argument("--panel", help="only this panel's answers (default: all answers)")
    calib.add_argument("--since", metavar="DATE",
                       help="answers given on or after this date (YYYY-MM-DD or ISO 8601; default: all)")
    calib.add_argument("--questionnaire", metavar="FILE", help="questionnaire TOML (default: the bundled one)")
    calib.add_argument("--plot", metavar="FILE.svg", help="also write an SVG chart of agreement and kappa")
    common.json(calib, "one JSON object instead of text")
    common.db(calib)
    calib.set_defaults(func=cmd_panel_calibrate)

    pack = common.parser(cmds, "pack", help="write a redacted, self-contained HTML panel pack for a draw")
    pack.add_argument("draw_id", type=int, help="the draw (from callqa panel sample)")
    pack.add_argument("--out", required=True, metavar="DIR",
                      help="folder to write: index.html, audio/, README.txt (required)")
    pack.add_argument("--questionnaire", metavar="FILE",
                      help="the panel's questionnaire TOML (default: the seven review questions)")
    common.config(pack, "settings TOML: its [redaction] section, e.g. reference-number patterns "
                        "(default: the embedded settings)")
    pack.add_argument("--no-redact", action="store_true",
                      help="leave personal data in (needs --reason; written to the audit log)")
    pack.add_argument("--reason", help="why an unredacted pack is needed")
    pack.add_argument("--requested-by", metavar="NAME", help="who asked (default: the login name)")
    pack.add_argument("--overwrite", action="store_true", help="replace an earlier pack in --out")
    common.db(pack)
    pack.set_defaults(func=cmd_panel_pack)
