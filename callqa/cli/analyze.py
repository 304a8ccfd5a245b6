"""`callqa analyze`: one or more recorded calls, analysed here, the result JSON on stdout or in files.

Output contract: one file prints its result as one JSON document on stdout; several print JSON
Lines (one compact result per line, as each call finishes). `--out FILE` (one call) or `--out DIR`
(several, one `<call_id>.json` each) writes files instead; `--json` with `--out` prints as well.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from callqa.cli import EXIT_OK, EXIT_PROBLEMS, UsageError, exit_code, load_settings, print_error, print_json
from callqa.errors import CallQAError

STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "n/a"}
# = callqa.pipeline.audio.LAYOUTS and callqa.pipeline.config.ENGINES (tests/test_cli.py checks), kept
# here so that `callqa analyze --help` does not load numpy with the audio module.
LAYOUTS = ("stereo-handler-left", "stereo-handler-right", "mono")
ENGINES = ("faster-whisper", "openai-whisper")
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".gsm", ".au", ".aiff", ".aif", ".m4a", ".wma", ".amr"}


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


def _old_json_out(args: argparse.Namespace) -> str | None:
    """The path of the old form `--json OUT` (before --json became a switch), if that is what was typed:
    the word after --json is one of the "recordings" but is a folder, a .json file, or no audio name."""
    argv = getattr(args, "argv", None) or []
    for i, word in enumerate(argv[:-1]):
        if word != "--json":
            continue
        after = argv[i + 1]
        if after.startswith("-") or after not in args.audio:
            continue
        path = Path(after)
        if (path.suffix.lower() == ".json" or after.endswith(("/", "\\")) or path.is_dir()
                or (not path.exists() and path.suffix.lower() not in AUDIO_SUFFIXES)):
            return after
    return None


def _refuse_clashes(audio: list[str], out: Path) -> None:
    """One result per file, named by its stem: two files with one stem would overwrite each other."""
    by_name: dict[str, list[str]] = {}
    for path in audio:
        by_name.setdefault(f"{Path(path).stem}.json", []).append(path)
    clashes = [f"{' and '.join(paths)} would all be written to {out / name}"
               for name, paths in by_name.items() if len(paths) > 1]
    if clashes:
        raise UsageError("; ".join(clashes) + "; rename them or analyse them in separate runs")


def cmd_analyze(args: argparse.Namespace) -> int:
    old = _old_json_out(args) if args.json else None
    if old is not None:
        raise UsageError(f"--json is a switch now (JSON on stdout) and takes no path; to write files use "
                         f"--out {old}")
    many = len(args.audio) > 1
    out = Path(args.out) if args.out else None
    into_folder = out is not None and (many or out.is_dir())
    if into_folder and many:
        _refuse_clashes(args.audio, out)
    if out is not None and out.exists() and not out.is_dir() and many:
        raise UsageError(f"--out {out}: several recordings need a folder, and {out} is a file")
    config = load_settings(args.config, engine=args.engine, model=args.model, rules=args.rules)
    from callqa.pipeline.analyze import Analyzer

    analyzer = Analyzer(config)
    if into_folder:
        out.mkdir(parents=True, exist_ok=True)
    to_stdout = out is None or args.json
    failed: list[CallQAError] = []
    for audio in args.audio:
        progress = StderrProgress(Path(audio).name, args.progress or sys.stderr.isatty())
        try:
            result: dict[str, Any] = analyzer.analyze(
                audio, args.layout, call_id=args.call_id if not many else None, progress=progress,
                call_type=args.call_type, answer_delay_s=args.answer_delay).to_dict()
        except CallQAError as exc:  # a bad recording: reported, and the others go on
            progress.done()
            print_error(exc)
            failed.append(exc)
            continue
        progress.done()
        if out is not None:
            target = out / f"{result['call_id']}.json" if into_folder else out
            target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if to_stdout:
            print_json(result, compact=many)  # several calls: JSON Lines
            sys.stdout.flush()
        if args.summary or out is not None:
            print(summary(result), file=sys.stderr)
    if not failed:
        return EXIT_OK
    return exit_code(failed[0]) if not many else EXIT_PROBLEMS


def register(subparsers: Any, common: Any) -> None:
    analyze = common.parser(
        subparsers, "analyze", help="analyse recorded call(s) here and print or write the result JSON",
        description="Analyse recorded call(s): speech-to-text on each party's speech, then every indicator "
                    "with its evidence. One recording prints its result JSON on stdout; several print JSON "
                    "Lines (one compact result per line). --out writes files instead.",
        epilog="The speech models come from pinned wheels; models joined from parts are cached in "
               "$CALLQA_MODEL_CACHE (default ~/.cache/callqa/models).")
    analyze.add_argument("audio", nargs="+", help="call recording(s): WAV, FLAC, MP3, GSM 6.10 WAV")
    analyze.add_argument("--layout", choices=LAYOUTS,
                         help="channel layout (default: stereo-handler-left for 2 channels, mono for 1)")
    analyze.add_argument("--engine", choices=ENGINES, help="speech-to-text engine (default: faster-whisper, "
                                                           "or [stt] engine in --config)")
    analyze.add_argument("--model", help="bundled model name (tiny.en, base) or a path to model files (default: "
                                         "tiny.en, or [stt] model in --config; env CALLQA_MODEL_CACHE: where "
                                         "joined models are cached)")
    common.config(analyze, "TOML file overriding [vad]/[stt] settings and the rule pack (default: the embedded "
                           "settings)")
    analyze.add_argument("--rules", metavar="PACK.toml",
                         help="rule pack TOML (default: models/rules/staffordshire.toml, or rules in --config)")
    analyze.add_argument("--call-id", help="call id (default: the file name without extension; one file only)")
    analyze.add_argument("--call-type", choices=("101", "999"),
                         help="from the recorder's metadata, for answer_time (default: unknown)")
    analyze.add_argument("--answer-delay", type=float, metavar="SECONDS",
                         help="seconds the caller waited to be answered, for answer_time (default: unknown)")
    analyze.add_argument("--json", action="store_true",
                         help="result JSON on stdout (what happens anyway without --out; with --out, as well); "
                              "several recordings give JSON Lines")
    analyze.add_argument("--out", metavar="PATH",
                         help="write the result JSON here: a file for one recording, a folder (one "
                              "<call_id>.json each) for several or when PATH is a folder (default: stdout)")
    analyze.add_argument("--summary", action="store_true",
                         help="a human-readable summary on stderr (always shown with --out)")
    analyze.add_argument("--progress", action="store_true",
                         help="show progress even when stderr is not a terminal")
    analyze.set_defaults(func=cmd_analyze, intermixed="audio")
