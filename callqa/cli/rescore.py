"""`callqa rescore`: apply a (new) rule pack to every stored transcript; no speech-to-text."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from callqa.cli import EXIT_OK, load_settings, open_store


def cmd_rescore(args: argparse.Namespace) -> int:
    from callqa.pipeline.rules import load_rule_pack
    from callqa.rescore import rescore_store

    config = load_settings(args.config, rules=args.rules)
    rules = load_rule_pack(config.rules)  # a bad pack stops here, before the store is touched
    summary = rescore_store(open_store(args.db), rules, engine=config.stt.engine, model=config.stt.model,
                            workers=args.workers)
    print(f"re-scored {summary.rescored} call(s) with rules {summary.rules_version} in {summary.seconds:.2f} s "
          f"({summary.calls_per_second:.0f} calls/s); {summary.flagged} flagged", file=sys.stderr)
    return EXIT_OK


def register(subparsers: Any, common: Any) -> None:
    rescore = common.parser(subparsers, "rescore",
                            help="re-score stored transcripts with the current rules (no speech-to-text)")
    common.db(rescore)
    rescore.add_argument("--rules", metavar="PACK.toml",
                         help="rule pack TOML (default: the bundled pack, or rules in --config)")
    rescore.add_argument("--workers", type=int, default=1, metavar="N",
                         help="worker processes that read and score batches (used from 2,000 calls per worker)")
    common.config(rescore, "settings TOML: its rules and [stt] engine/model (default: the embedded settings)")
    rescore.set_defaults(func=cmd_rescore)
