"""`callqa` command line: analyse a call and print its result JSON and a short summary."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from pipeline.audio import LAYOUTS
from pipeline.config import load_config
from pipeline.errors import CallQAError
from pipeline.stt.base import ENGINES

STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "n/a"}


def summary(result: dict) -> str:
    """A few lines a QA lead can read: each indicator, its reason, and where to listen."""
    lines = [f"{result['call_id']}: {result['duration_s']:.1f} s, {result['layout']}, "
             f"{result['engine']['name']} {Path(result['engine']['model']).name}, rules {result['rules_version']}"]
    for name, ind in result["indicators"].items():
        lines.append(f"  {STATUS_MARK[ind['status']]:4} {name:20} {ind['reason']}")
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
    from pipeline.analyze import Analyzer

    config = load_config(args.config, engine=args.engine, model=args.model, rules=args.rules)
    analyzer = Analyzer(config)
    status = 0
    many = len(args.audio) > 1
    if many and args.json and not Path(args.json).is_dir():
        Path(args.json).mkdir(parents=True, exist_ok=True)
    for audio in args.audio:
        progress = StderrProgress(Path(audio).name, args.progress or sys.stderr.isatty())
        try:
            result = analyzer.analyze(audio, args.layout, call_id=args.call_id if not many else None,
                                      progress=progress).to_dict()
        except CallQAError as exc:
            progress.done()
            print(f"callqa: error: {exc}", file=sys.stderr)
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
    analyze.add_argument("--json", metavar="OUT", help="write JSON here (a folder when several files are given)")
    analyze.add_argument("--summary", action="store_true", help="print a human-readable summary on stderr")
    analyze.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    analyze.set_defaults(func=cmd_analyze)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CallQAError as exc:
        print(f"callqa: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
