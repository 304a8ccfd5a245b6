"""`callqa rules tune|apply`: propose a rule pack from QA leads' decisions, and apply one.

`tune` writes a proposal and its diff and changes nothing; `apply` is the QA lead's explicit step
(audited) that records a pack as a new rules version and re-scores the store with it. Not
applying a proposal is how it is refused.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from callqa.cli import EXIT_OK, UsageError, load_settings, login_name, open_store, print_json


def _copy_examples(current: Any, out: Path) -> None:
    """The pack's labelled-examples file goes beside the proposal, if it was beside the pack."""
    import tomllib

    source = Path(current.source)

    name = tomllib.loads(source.read_text(encoding="utf-8")).get("intents", {}).get("examples")
    if not name or not source.is_file():
        return
    beside, target = source.parent / name, out.parent / name
    if beside.is_file() and not target.exists():
        shutil.copyfile(beside, target)


def cmd_rules_tune(args: argparse.Namespace) -> int:
    from callqa.pipeline.rules import load_rule_pack
    from callqa.tuning.propose import propose, report_text

    if not 0 < args.held_out < 1:
        raise UsageError(f"--held-out must be between 0 and 1, got {args.held_out}")
    config = load_settings(args.config, rules=args.rules)
    current = load_rule_pack(config.rules)
    if args.version is not None and args.version == current.version:
        raise UsageError(f"--new-version {args.version!r} is the current pack's version; a proposal needs a new version")
    store = open_store(args.db)
    say = (lambda message: print(f"  {message}", file=sys.stderr)) if args.verbose else None
    proposal = propose(store, current, seed=args.seed, held_out_share=args.held_out, version=args.version,
                       sentences=not args.no_sentences, progress=say)
    out = Path(args.out or f"{proposal.version}.toml")
    store.audit(login_name(), "rules_tune", details={
        "rules_version": current.version, "proposal": proposal.version if proposal.changed else None,
        "seed": args.seed, "held_out": args.held_out, "decisions": proposal.decisions,
        "call_ids": sorted({*proposal.learning_calls, *proposal.held_out_calls})})
    if proposal.changed:
        if out.exists() and not args.force:
            raise UsageError(f"{out} exists; choose another --out or pass --force")
        out.write_text(proposal.text, encoding="utf-8")
        _copy_examples(current, out)
        load_rule_pack(out)  # the proposal loads as `callqa rules apply` will load it
    if args.json:
        print_json({**proposal.to_dict(), "proposal_file": str(out) if proposal.changed else None,
                    "diff": proposal.diff(current.source, str(out)) if proposal.changed else ""})
        return EXIT_OK
    sys.stdout.write(report_text(proposal))
    if proposal.changed:
        print(f"proposal: {out} (rules version {proposal.version}); nothing has changed yet")
        print(f"to apply it: callqa rules apply {out}   (to refuse it: do not apply it)")
        print()
        sys.stdout.write(proposal.diff(current.source, str(out)))
    return EXIT_OK


def cmd_rules_apply(args: argparse.Namespace) -> int:
    from callqa.tuning.apply import apply_pack

    config = load_settings(args.config)
    store = open_store(args.db)
    done = apply_pack(store, args.pack, login_name(), engine=config.stt.engine, model=config.stt.model)
    s = done.rescore
    if args.json:
        print_json({"rules_version": done.rules.version, "file": str(Path(args.pack).resolve()), "sha256": done.sha256,
                    "resumed": done.resumed, "previous": done.previous, "rescored": s.rescored, "flagged": s.flagged,
                    "seconds": round(s.seconds, 3)})
    else:
        print(f"applied rules {done.rules.version} ({'resumed' if done.resumed else 'recorded'} in the store): "
              f"re-scored {s.rescored} call(s) in {s.seconds:.2f} s, {s.flagged} flagged; no speech-to-text")
    pack = Path(args.pack).resolve()
    nightly = Path(config.rules).resolve() if config.rules else None
    if nightly != pack:
        print(f"the nightly run does not use it yet: put  rules = \"{pack}\"  in the settings TOML that "
              f"`callqa run`/`callqa serve --config` read", file=sys.stderr)
    return EXIT_OK


def register(subparsers: Any, common: Any) -> None:
    rules = common.parser(subparsers, "rules", help="learn a rule pack from QA leads' decisions, and apply one")
    cmds = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")

    tune = common.parser(cmds, "tune", help="propose a rule pack from past decisions (writes a file, changes nothing)")
    tune.add_argument("--rules", metavar="PACK.toml",
                      help="the current rule pack (default: the bundled pack, or rules in --config)")
    common.config(tune, "settings TOML: its rules (default: the embedded settings)")
    tune.add_argument("--out", metavar="FILE.toml", help="where to write the proposal (default: VERSION.toml here)")
    tune.add_argument("--new-version", dest="version", metavar="NAME",
                      help="the proposal's rules version (default: the current one + -tuned-DATE)")
    tune.add_argument("--seed", type=int, default=15, help="seed of the held-out split (by call)")
    tune.add_argument("--held-out", type=float, default=0.3, metavar="SHARE",
                      help="share of calls held out to measure on, 0-1")
    tune.add_argument("--no-sentences", action="store_true",
                      help="learn thresholds only, no exemplars or counter-exemplars (no intent model refit)")
    tune.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    tune.add_argument("--verbose", "-v", action="store_true", help="each value tried, on stderr")
    common.json(tune, "one JSON object (what was learnt, agreement before/after, the diff) instead of text")
    common.db(tune)
    tune.set_defaults(func=cmd_rules_tune)

    apply = common.parser(cmds, "apply", help="make a rule pack the rules: record its version and re-score the store "
                                              "(no speech-to-text)")
    apply.add_argument("pack", metavar="PACK.toml", help="the pack to apply (e.g. from callqa rules tune)")
    common.config(apply, "settings TOML: [stt] engine/model of the transcripts to re-score, and the rules the "
                         "nightly run uses (checked)")
    common.json(apply, "one JSON object instead of text")
    common.db(apply)
    apply.set_defaults(func=cmd_rules_apply)
