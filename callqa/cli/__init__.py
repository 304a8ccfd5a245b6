"""`callqa` command line: analyse calls, run the nightly batch, list flags and runs, re-score.

One module per command group, each with `register(subparsers, common)`: the group adds its
parsers and imports what its commands need inside the command functions, so `callqa analyze
--help` loads no Flask, SQLAlchemy or Prefect. This module keeps `main`, `build_parser`, the exit
codes and the helpers every group shares (`common`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path
from typing import Any, Sequence

from callqa.errors import CallQAError, ConfigError

# The command groups, in the order `callqa --help` lists them: modules of this package.
GROUPS = ("analyze", "run", "results", "rescore", "store", "panel", "review_app", "calibrate", "rules")

# Exit codes (README "Exit codes"). A CallQAError's own `exit_code` picks among them.
EXIT_OK = 0
EXIT_CRASH = 1        # an unexpected error (a traceback: please report it)
EXIT_USAGE = 2        # argparse's usage errors, and a request that cannot be carried out as given
EXIT_PROBLEMS = 3     # a run finished, but some calls or rows had problems
EXIT_INPUT = 4        # a bad input file: audio, an export, an answers file, a result JSON
EXIT_STORE = 5        # no store, an older store, one that cannot be written or migrated
EXIT_CONFIG = 6       # a settings file, rule pack or questionnaire, a missing model, a busy port
EXIT_PIPE = 141       # the reader of our output went away (`| head`): 128 + SIGPIPE, as `cat` ends

# Errors of modules this package does not own, by where they live: an exception can only be one of
# these when its module is loaded, so the lookup imports nothing.
_EXIT_CODES_BY_TYPE = (
    ("callqa.models.errors", "ModelNotFoundError", EXIT_CONFIG),
    ("callqa.panel.questionnaire", "QuestionnaireError", EXIT_CONFIG),
    ("callqa.panel.answers", "AnswersError", EXIT_INPUT),
)

DB_ENV = "CALLQA_DB"
LOCAL_TIMEZONE = "Europe/London"  # = callqa.pipeline.config.LOCAL_TIMEZONE (a test checks), without its import


class UsageError(CallQAError):
    """A command line that cannot mean what it says (an old flag form, a clash of output names)."""

    exit_code = EXIT_USAGE


def exit_code(exc: BaseException) -> int:
    """The exit status for an error callqa reports (README "Exit codes")."""
    own = vars(exc).get("exit_code")
    if isinstance(own, int):
        return own
    for module, name, code in _EXIT_CODES_BY_TYPE:
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(exc, cls):
            return code
    return getattr(exc, "exit_code", EXIT_USAGE)


def print_error(exc: CallQAError | str) -> None:
    """One `callqa: error: ...` line (or several, when the message has its own layout) on stderr."""
    text = exc.user_message() if isinstance(exc, CallQAError) else exc
    print(f"callqa: error: {text}", file=sys.stderr)


def login_name() -> str:
    """Who ran the command, for audit records; a container user with no passwd entry is "callqa"."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "callqa"


def local_time(value: datetime | str | None) -> str:
    """A time for a person to read: ISO 8601 in UK local time, to the minute, with its offset
    (`2026-11-25T21:14+00:00`; BST shows +01:00). A naive time is UTC (the store's)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(LOCAL_TIMEZONE)).isoformat(timespec="minutes")


def same_text(a: str | None, b: str | None) -> bool:
    """Filters match case-insensitively (`--area cannock` finds Cannock)."""
    return (a or "").casefold() == (b or "").casefold()


def print_json(value: Any, compact: bool = False) -> None:
    """One JSON document on stdout: indented, or (`compact`) on one line, as JSON Lines are."""
    if compact:
        print(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
    else:
        print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def write_text(text: str, out: str | None) -> None:
    """`text` to the file `out`, or to stdout."""
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def open_store(db: str | None, current: bool = True) -> Any:
    """The existing store at --db (else $CALLQA_DB, else ./callqa.db): never created or migrated."""
    from callqa.store import Store

    return Store.open(db, current=current)


def load_settings(path: str | None, **overrides: Any) -> Any:
    """The settings TOML (validated once); its errors are configuration errors (exit 6)."""
    from callqa.pipeline.config import load_config
    from callqa.report_settings import SECTION as REPORT_SECTION

    try:
        return load_config(path, (REPORT_SECTION,), **overrides)
    except CallQAError as exc:
        if type(exc) is CallQAError:
            raise ConfigError(str(exc)) from None
        raise


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default, where it has one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = not (default is None or isinstance(default, bool) or default == "" or default is argparse.SUPPRESS)
        if shown and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        # Never break inside callqa-reports, stereo-handler-left or a URL.
        return textwrap.wrap(self._whitespace_matcher.sub(" ", text).strip(), width, break_on_hyphens=False)


class Common:
    """What every command group shares when it registers: parsers with the one help formatter,
    and the options several groups take (--db, --json, --config)."""

    formatter = HelpFormatter

    @staticmethod
    def parser(subparsers: Any, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", help[0].upper() + help[1:] + ".")
        return subparsers.add_parser(name, help=help, formatter_class=HelpFormatter, **kwargs)

    @staticmethod
    def db(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--db", metavar="URL",
                            help=f"the store: a SQLite file or URL (sqlite:///file.db, postgresql+psycopg://user@host/db); "
                                 f"env {DB_ENV}; default: callqa.db in the current folder")

    @staticmethod
    def json(parser: argparse.ArgumentParser, text: str = "JSON on stdout instead of text") -> None:
        parser.add_argument("--json", action="store_true", help=text)

    @staticmethod
    def config(parser: argparse.ArgumentParser, text: str = "settings TOML ([vad], [stt], [rules], [redaction]); "
                                                            "default: the embedded settings") -> None:
        parser.add_argument("--config", metavar="FILE", help=text)


common = Common()


def _version() -> str:
    from callqa import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callqa", description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter,
        epilog="Exit codes: 0 ok, 1 crash, 2 usage, 3 a run with problems, 4 a bad input file, 5 a store error, "
               "6 a configuration error (README: Exit codes).")
    parser.add_argument("--version", action="version", version=f"callqa {_version()}",
                        help="print callqa's version and exit")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        import_module(f"callqa.cli.{group}").register(subparsers, common)
    return parser


def _stdout_gone() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except Exception:  # a test's captured stdout has no descriptor
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "intermixed", None) and not any(word.startswith("-") for word in extra):
        # `callqa analyze A.wav --json B.wav`: positionals after a switch are positionals still
        setattr(args, args.intermixed, [*getattr(args, args.intermixed), *extra])
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.argv = argv
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return status
    except BrokenPipeError:  # `callqa flags --json | head -1`: the reader has what it wanted
        _stdout_gone()
        return EXIT_PIPE
    except CallQAError as exc:
        print_error(exc)
        return exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
