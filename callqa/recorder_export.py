"""Read a recorder's nightly export (audio files + metadata in one folder) into checked call records.

The nightly batch trusts what this module returns: every ``CallRecord`` names an existing regular
audio file inside the export folder, a timezone-aware start time, a known call type and channel
layout, and a call id that is safe in file names and URLs. Everything else in the export is
reported as a ``RowError`` naming where it came from (``manifest.csv row 7``, ``night/a.json``), so
one bad row never stops a night's calls. Only problems with the export as a whole (no folder, an
unreadable manifest, missing columns) raise ``ExportError``.

Built-in layouts (see docs/exports.md, "Recorder exports"):

- ``manifest``: ``manifest.csv`` in the folder, one row per call. Row numbers are spreadsheet row
  numbers: the header is row 1, the first data row is row 2.
- ``sidecar``: one JSON object per call, ``NAME.json`` beside ``NAME.wav``, in any subfolder.

Other formats plug in with ``register_reader`` or the ``callqa.export_readers`` entry-point group;
they can reuse ``parse_row`` so every format is checked the same way.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import logging
import math
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import NamedTuple, TypeVar

from callqa.pipeline.audio import LAYOUTS
from callqa.pipeline.errors import CallQAError
from callqa.messages import is_hidden, printable, quote

log = logging.getLogger(__name__)
T = TypeVar("T")

MANIFEST = "manifest.csv"
ENTRY_POINT_GROUP = "callqa.export_readers"
FIELDS = ("call_id", "audio", "started_at", "call_type", "area", "handler_id", "layout", "answer_delay_s",
          "training")
# Columns renamed since: an export written for an older callqa still reads ("channels" was the layout's name).
OLD_NAMES = {"channels": "layout"}
# answer_delay_s is the only optional field: a recorder may not know it.
REQUIRED_FIELDS = tuple(f for f in FIELDS if f != "answer_delay_s")
# area and handler_id must be present but may be empty (an unassigned or out-of-area call).
NON_EMPTY_FIELDS = ("call_id", "audio", "started_at", "call_type", "layout", "training")
CALL_TYPES = ("101", "999")
MAX_CALL_ID = 128
# Call ids become file names and URL segments: a small alphabet, and a letter or digit first so an id
# can never be ".", "..", a hidden file or look like a command-line option.
_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


class ExportError(CallQAError):
    """An export that cannot be read at all (no folder, unreadable manifest, missing columns).

    The message goes to the terminal and into the store's runs and errors (and so to pages), so
    hidden characters from a folder or column name are escaped once, here."""

    exit_code = 4  # the CLI's exit status: a bad input file

    def __init__(self, message: str) -> None:
        super().__init__(printable(message, limit=None))


@dataclass(frozen=True)
class CallRecord:
    """One call ready for analysis; every field has been checked (see module docstring)."""

    call_id: str
    audio: Path  # absolute, resolved, inside the export folder, an existing regular file
    started_at: datetime  # timezone-aware
    call_type: str  # "101" | "999"
    area: str
    handler_id: str
    layout: str  # one of callqa.pipeline.audio.LAYOUTS: which party is on which channel
    answer_delay_s: float | None
    training: bool
    source: str  # "manifest.csv row 7", "night/a.json"
    extra: dict[str, str] = field(default_factory=dict, hash=False)  # unknown columns/keys, kept verbatim


@dataclass(frozen=True)
class RowError:
    """A row (or sidecar) that was skipped, and why, in words an operator can act on.

    Its text goes to terminals, the store and pages, so hidden characters in it (from a file
    name, or a plugin's message) are escaped here, once, for every consumer."""

    source: str
    call_id: str | None
    problem: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", printable(self.source, limit=None))
        object.__setattr__(self, "problem", printable(self.problem, limit=None))
        if self.call_id is not None:
            object.__setattr__(self, "call_id", printable(self.call_id))

    def __str__(self) -> str:
        call = f" (call {self.call_id})" if self.call_id else ""
        return f"{self.source}{call}: {self.problem}"


@dataclass
class ExportListing:
    """What one export folder holds: the calls to analyse and the rows that were skipped."""

    folder: Path
    reader: str
    calls: list[CallRecord]
    errors: list[RowError]


class ExportReader(NamedTuple):
    """A registered export format: ``detect(folder)`` says whether it applies, ``read(folder)`` reads it."""

    detect: Callable[[Path], bool]
    read: Callable[[Path], ExportListing]


# --- per-row validation, shared by every reader ----------------------------------------------


def parse_row(values: dict[str, str], folder: Path, base: Path, source: str) -> CallRecord | RowError:
    """Check one call's fields and turn them into a CallRecord, or a RowError listing every problem.

    ``folder`` is the export folder (the audio must resolve inside it); ``base`` is the folder the
    ``audio`` path is relative to. Values are stripped; keys outside FIELDS go to ``extra``.
    Duplicate call ids are a property of the whole export: ``check_duplicates`` handles them.
    """
    exact_audio = values.get("audio") or ""
    values, renamed_problem = _new_names({k: (v or "").strip() for k, v in values.items()})
    call_id, id_problem = _check_call_id(values.get("call_id", ""))
    problems = [p for p in (_missing(values), id_problem, renamed_problem) if p]
    started_at = _field(values, "started_at", _parse_started_at, problems)
    call_type = _field(values, "call_type", _parse_call_type, problems)
    layout = _field(values, "layout", _parse_layout, problems)
    answer_delay_s = _parse_answer_delay(values.get("answer_delay_s", ""), problems)
    training = _field(values, "training", _parse_training, problems)
    audio = _field(values, "audio", lambda raw: _resolve_audio(raw, folder, base, exact_audio), problems)
    for name in ("area", "handler_id"):
        problem = _identifier_problem(name, values.get(name, ""))
        if problem:
            problems.append(problem)
    if problems:
        return RowError(source, call_id, "; ".join(problems))
    extra = {k: v for k, v in values.items() if k not in FIELDS}
    return CallRecord(call_id, audio, started_at, call_type, values["area"], values["handler_id"], layout,
                      answer_delay_s, training, source, extra)


def _new_names(values: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """Fields under their old names ("channels") under their new ones ("layout"); both given and
    different is a problem, since callqa cannot tell which the recorder meant."""
    for old, new in OLD_NAMES.items():
        if old not in values:
            continue
        value = values.pop(old)
        if new not in values:
            values[new] = value
        elif values[new] != value:
            return values, f"{new} {quote(values[new])} and its old name {old} {quote(value)} disagree"
    return values, None


MAX_IDENTIFIER_CHARS = 255   # the store's column width


def _identifier_problem(name: str, value: str) -> str | None:
    """An area or handler id is printed to terminals, CSVs and pages: no control characters
    (NUL, ANSI escapes, bidi overrides) and no more than the store holds."""
    bad = hidden_characters(value)
    if bad:
        return f"{name} contains control or invisible characters ({bad})"
    if len(value) > MAX_IDENTIFIER_CHARS:
        return f"{name} is longer than {MAX_IDENTIFIER_CHARS} characters ({quote(value, 20)})"
    return None


def hidden_characters(value: str) -> str:
    """Name the hidden characters in a value ("U+0000 (NUL), U+001B (ESC)"), or "" when there are none."""
    bad = sorted({c for c in value if is_hidden(c)})
    return ", ".join(f"U+{ord(c):04X}" + (f" ({_CHAR_NAMES[c]})" if c in _CHAR_NAMES else "") for c in bad[:5])


_CHAR_NAMES = {"\x00": "NUL", "\x1b": "ESC, starts a terminal escape sequence", "\ufeff": "byte-order mark",
               "\t": "tab", "\n": "line break", "\r": "carriage return", "\u202e": "right-to-left override",
               "\u200b": "zero-width space"}


def _missing(values: dict[str, str]) -> str | None:
    """Name absent fields and empty required values together, so one message says what to fill in."""
    absent = [f for f in REQUIRED_FIELDS if f not in values]
    empty = [f for f in NON_EMPTY_FIELDS if f in values and not values[f]]
    parts = []
    if absent:
        parts.append(f"missing field(s): {', '.join(absent)}")
    if empty:
        parts.append(f"empty value(s) for: {', '.join(empty)}")
    return "; ".join(parts) or None


def _field(values: dict[str, str], name: str, parse: Callable[[str], T], problems: list[str]) -> T | None:
    """Parse one non-empty field; a parse failure (ValueError) becomes a problem, absent/empty is _missing's."""
    raw = values.get(name, "")
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        problems.append(str(exc))
        return None


def _check_call_id(raw: str) -> tuple[str | None, str | None]:
    """Return (call_id, problem): an unsafe id is not echoed back as the RowError's call_id."""
    if not raw:
        return None, None
    shown = quote(raw, 40)
    if len(raw) > MAX_CALL_ID:
        return None, f"call_id {shown} is longer than {MAX_CALL_ID} characters"
    if not _CALL_ID.fullmatch(raw):
        hidden = hidden_characters(raw)
        also = f"; it contains control or invisible characters ({hidden})" if hidden else ""
        return None, (f"call_id {shown} must use only A-Z a-z 0-9 . _ : - and start with a letter or digit "
                      f"(call ids become file names and URLs){also}")
    return raw, None


EARLIEST_CALL = datetime(1990, 1, 1, tzinfo=timezone.utc)   # before digital call recorders
LATEST_CALL = datetime(2100, 1, 1, tzinfo=timezone.utc)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _parse_started_at(raw: str) -> datetime:
    """ISO 8601 with an offset: a naive time would be an hour out for half the year (BST).

    The time must also fall in a range a recorder can produce: year 9999 with a -23:59 offset
    parses, but overflows when converted to UTC, and would take a whole night down."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        impossible = _impossible_date(raw, str(exc))
        if impossible:
            raise ValueError(f"started_at {quote(raw)}: {impossible}") from None
        raise ValueError(f"started_at {quote(raw)} is not ISO 8601 with a UTC offset") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"started_at {quote(raw)} has no UTC offset (ISO 8601 with an offset is required, "
                         "e.g. 2026-11-25T21:14:03+00:00)")
    try:
        in_utc = value.astimezone(timezone.utc)
    except OverflowError:
        in_utc = None
    if in_utc is None or not EARLIEST_CALL <= in_utc < LATEST_CALL:
        raise ValueError(f"started_at {quote(raw)} is not between {EARLIEST_CALL:%Y-%m-%d} and {LATEST_CALL:%Y-%m-%d}")
    return value


def _impossible_date(raw: str, error: str) -> str | None:
    """Why a well-formed ISO 8601 value names no real moment ("2026-02-29"), or None when it is
    not well-formed: "no such date" is clearer than "not ISO 8601" for a date that looks right."""
    match = _ISO_DATE.match(raw)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return f"no such date (month {month} does not exist)"
    if year >= 1 and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"no such date ({calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days)"
    for unit in ("hour", "minute", "second"):
        if error.startswith(f"{unit} must be in"):
            return f"no such time of day ({error})"
    return None


def _parse_call_type(raw: str) -> str:
    if raw not in CALL_TYPES:
        raise ValueError(f"call_type {quote(raw)} is not one of {', '.join(CALL_TYPES)}")
    return raw


def _parse_layout(raw: str) -> str:
    if raw not in LAYOUTS:
        raise ValueError(f"unknown channel layout {quote(raw)}; expected one of {', '.join(LAYOUTS)}")
    return raw


def _parse_answer_delay(raw: str, problems: list[str]) -> float | None:
    """Optional seconds before the call was answered; empty means the recorder did not say."""
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"answer_delay_s {quote(raw)} is not a number of seconds")
        return None
    if not math.isfinite(value) or value < 0:
        problems.append(f"answer_delay_s {quote(raw)} is not a non-negative number of seconds")
        return None
    return value


def _parse_training(raw: str) -> bool:
    word = raw.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"training {quote(raw)} is not true or false (accepted: true/false, yes/no, 1/0)")


def _resolve_audio(raw: str, folder: Path, base: Path, exact: str = "") -> Path:
    """Resolve the audio path and refuse anything outside the export folder or not a regular file.

    Exports come from another system: an absolute path, ``..`` or a symlink must not let a row make
    the batch read (and transcribe into a result) a file outside the folder it was given.
    Backslashes are taken as separators (Windows recorders write them). ``exact`` is the value
    before surrounding spaces were stripped: a file whose name really starts or ends with a space
    is found under that name when the stripped one does not exist.
    """
    hidden = hidden_characters(raw)
    if hidden:
        raise ValueError(f"audio path {quote(raw)} contains control or invisible characters ({hidden}); "
                         "rename the file")
    path = _audio_path(raw, folder, base)
    if exact and exact != raw and not path.exists():
        try:
            exact_path = _audio_path(exact, folder, base)
        except ValueError:
            exact_path = None
        if exact_path is not None and exact_path.exists():
            path = exact_path
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ValueError(f"audio file not found: {quote(raw)}{_spaces_note(exact, raw)}") from None
    except OSError as exc:
        raise ValueError(f"audio file cannot be read: {quote(raw)} ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise ValueError(f"audio path is not a regular file: {quote(raw)}")
    return path


def _audio_path(raw: str, folder: Path, base: Path) -> Path:
    """The resolved path a row names, refused when it is absolute or resolves outside the folder."""
    relative = raw.replace("\\", "/")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(raw).drive:
        raise ValueError(f"audio path escapes the export folder (absolute paths are not allowed): {quote(raw)}")
    try:
        path = (base / relative).resolve()
    except RuntimeError:
        raise ValueError(f"audio path {quote(raw)} is a symlink loop") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ValueError(f"audio path cannot be resolved: {quote(raw)} ({reason})") from None
    if not path.is_relative_to(folder):
        raise ValueError(f"audio path escapes the export folder: {quote(raw)}")
    return path


def _spaces_note(exact: str, raw: str) -> str:
    return " (spaces around the value were ignored)" if exact and exact != raw else ""


# --- whole-export checks --------------------------------------------------------------------


def check_duplicates(results: Iterable[CallRecord | RowError]) -> list[CallRecord | RowError]:
    """Turn every repeat of a call id into a RowError naming the first occurrence, which wins.

    Ids are compared ignoring case, because they become file names on case-insensitive disks.
    The first occurrence wins even when that row is itself bad: picking a later row would
    guess which of two conflicting rows is right.
    """
    first: dict[str, CallRecord | RowError] = {}
    out: list[CallRecord | RowError] = []
    for item in results:
        if item.call_id is None:
            out.append(item)
            continue
        key = item.call_id.lower()
        out.append(_duplicate(item, first[key]) if key in first else item)
        first.setdefault(key, item)
    return out


def _duplicate(item: CallRecord | RowError, seen: CallRecord | RowError) -> RowError:
    where = _short_source(seen.source, item.source)
    if seen.call_id == item.call_id:
        problem = f"duplicate call_id {item.call_id!r} (first at {where})"
    else:
        problem = f"duplicate call_id {item.call_id!r} (differs only in case from {seen.call_id!r} at {where})"
    if isinstance(item, RowError):
        problem = f"{problem}; {item.problem}"
    return RowError(item.source, item.call_id, problem)


def _short_source(first: str, current: str) -> str:
    """'row 3' when both come from the same file's rows, else the full source label."""
    first_file, sep, first_row = first.partition(" row ")
    return f"row {first_row}" if sep and current.partition(" row ")[0] == first_file else first


def build_listing(folder: Path, reader: str, results: Iterable[CallRecord | RowError]) -> ExportListing:
    """Build an ExportListing from per-row results in source order, duplicates resolved."""
    checked = check_duplicates(results)
    return ExportListing(folder, reader, [r for r in checked if isinstance(r, CallRecord)],
                         [r for r in checked if isinstance(r, RowError)])


def _enforce(result: object, folder: Path, name: str) -> ExportListing:
    """Hold every reader, third-party ones included, to CallRecord's guarantees."""
    if not isinstance(result, ExportListing):
        raise ExportError(f"export reader {name!r} returned {type(result).__name__}, not an ExportListing")
    calls = [_violation(call, folder) or call for call in result.calls]
    checked = check_duplicates(calls)
    result.calls = [c for c in checked if isinstance(c, CallRecord)]
    result.errors = [*result.errors, *(c for c in checked if isinstance(c, RowError))]
    return result


def _violation(call: CallRecord, folder: Path) -> RowError | None:
    """A record that breaks a guarantee the batch relies on (a reader that skipped parse_row)."""
    problem = _check_call_id(call.call_id)[1] if call.call_id else "empty call_id"
    audio = Path(call.audio)
    if not (audio.is_absolute() and audio == audio.resolve() and audio.is_relative_to(folder) and audio.is_file()):
        problem = f"audio is not a regular file inside the export folder: {audio}"
    if call.started_at.tzinfo is None:
        problem = "started_at has no UTC offset"
    return RowError(call.source, None, problem) if problem else None


# --- the manifest reader --------------------------------------------------------------------


def detect_manifest(folder: Path) -> bool:
    """Any entry named manifest.csv, even a broken one: the reader then says what is wrong with it
    (a FIFO, a directory, a symlink out of the folder), rather than "no manifest.csv"."""
    return os.path.lexists(folder / MANIFEST)


MAX_CELL_CHARS = 4096   # no manifest value is longer; a bigger one is one bad row, not a bad export


def read_manifest(folder: Path) -> ExportListing:
    """Read ``manifest.csv``: bad rows are reported by row number (header = row 1) and skipped."""
    folder = folder.resolve()
    # The csv module refuses cells over 128 KB for the whole file; let them through to be refused
    # as the one row they are in (the whole manifest is already in memory, so this costs nothing).
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    rows = csv.reader(io.StringIO(_manifest_text(folder / MANIFEST, folder), newline=""))
    try:
        header = _manifest_header(next(rows, None))
        results = [_manifest_row(header, cells, number, folder)
                   for number, cells in enumerate(rows, start=2) if any(c.strip() for c in cells)]
    except csv.Error as exc:
        raise ExportError(f"{folder / MANIFEST}: not a readable CSV file (line {rows.line_num}: "
                          f"{printable(str(exc))})") from None
    return build_listing(folder, "manifest", results)


MAX_MANIFEST_BYTES = 256 * 1024 * 1024   # a night's manifest is a few MB; this is not one


def _manifest_text(path: Path, folder: Path) -> str:
    """The manifest as text: UTF-8, with or without a BOM (Excel writes one); anything else is refused."""
    data = _manifest_bytes(path, folder)
    encoding = _wide_encoding(data)   # UTF-16 without a BOM decodes as "UTF-8" full of NULs
    if encoding:
        raise ExportError(f"{path}: the manifest is {encoding} text, not UTF-8; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExportError(f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
                          "save the manifest as UTF-8") from None


def _manifest_bytes(path: Path, folder: Path) -> bytes:
    """Read the manifest only if it is a regular file inside the export: a symlink to a system file
    must not have its first line printed as "the header", and a FIFO or /dev/zero must not hang the night."""
    try:
        target = path.resolve(strict=True)
        info = target.stat()
    except FileNotFoundError:
        raise ExportError(f"{path}: the manifest is a symlink to a file that does not exist") from None
    except RuntimeError:
        raise ExportError(f"{path}: the manifest is a symlink loop") from None
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    if not target.is_relative_to(folder):
        raise ExportError(f"{path}: the manifest is a symlink to a file outside the export folder; "
                          "it was not read")
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ExportError(f"{path}: the manifest is {kind}")
    if info.st_size > MAX_MANIFEST_BYTES:
        raise ExportError(f"{path}: the manifest is larger than {MAX_MANIFEST_BYTES // 2**20} MB")
    try:
        return target.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the manifest ({exc.strerror})") from None


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
         (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"))


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by byte-order mark, or by where the NUL bytes of ASCII text fall."""
    for bom, name in _BOMS:   # UTF-32 first: its little-endian BOM starts like UTF-16's
        if data.startswith(bom):
            return name
    sample = data[:400]
    if len(sample) >= 8:
        quads = [sample[i : i + 4] for i in range(0, len(sample) - 3, 4)]
        if all(q[1:] == b"\x00\x00\x00" for q in quads[:2]):
            return "UTF-32 (little-endian)"
        if all(q[:3] == b"\x00\x00\x00" for q in quads[:2]):
            return "UTF-32 (big-endian)"
        if sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
            return "UTF-16 (little-endian)"
        if sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
            return "UTF-16 (big-endian)"
    return None


MAX_HEADER_SHOWN = 12   # columns listed in a header message


def _manifest_header(cells: list[str] | None) -> list[str]:
    """Column names, compared ignoring case and surrounding spaces; missing or repeated ones reject the file."""
    if not cells or not any(c.strip() for c in cells):
        raise ExportError(f"{MANIFEST}: no header row (expected: {','.join(FIELDS)})")
    header = [c.strip().lower() for c in cells]
    header = [OLD_NAMES[c] if c in OLD_NAMES and OLD_NAMES[c] not in header else c for c in header]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ExportError(f"{MANIFEST}: repeated column(s) in the header: {', '.join(map(_column, repeated))}")
    missing = [f for f in REQUIRED_FIELDS if f not in header]
    if missing:
        raise ExportError(f"{MANIFEST}: missing required column(s): {', '.join(missing)}{_header_hint(header)}")
    return header


def _column(name: str) -> str:
    """A column name as a message shows it: quoted, so an empty or odd name is visible."""
    return quote(name, 40) if not name or name != name.strip() or hidden_characters(name) or len(name) > 40 \
        else name


def _header_hint(header: list[str]) -> str:
    """Why the columns may be there but not recognised: invisible characters, another separator."""
    if len(header) == 1:
        for separator, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if separator in header[0]:
                return f" (the header is one column separated by {word}; the manifest must be comma-separated)"
    for number, name in enumerate(header, start=1):
        hidden = hidden_characters(name)
        if hidden:
            return (f" (header column {number}, {quote(name, 40)}, contains invisible characters: {hidden}; "
                    "save the manifest as plain UTF-8)")
    shown = ", ".join(_column(name) for name in header[:MAX_HEADER_SHOWN])
    more = f", ... ({len(header)} columns)" if len(header) > MAX_HEADER_SHOWN else ""
    return f" (header has: {shown}{more})"


def _manifest_row(header: list[str], cells: list[str], number: int, folder: Path) -> CallRecord | RowError:
    """One data row; a row with the wrong number of cells is refused, since its values may have shifted."""
    source = f"{MANIFEST} row {number}"
    huge = [name for name, cell in zip(header, cells) if len(cell) > MAX_CELL_CHARS]
    if huge:
        position = header.index("call_id")
        call_id, _ = _check_call_id(cells[position].strip() if position < len(cells) else "")
        return RowError(source, call_id, f"value of {', '.join(huge)} is longer than {MAX_CELL_CHARS} characters")
    if len(cells) != len(header):
        position = header.index("call_id")
        call_id, _ = _check_call_id(cells[position].strip() if position < len(cells) else "")
        cells_text = "1 cell" if len(cells) == 1 else f"{len(cells)} cells"
        return RowError(source, call_id, f"row has {cells_text}, the header has {len(header)}")
    return parse_row(dict(zip(header, cells)), folder, folder, source)


# --- the sidecar reader ---------------------------------------------------------------------


def detect_sidecars(folder: Path) -> bool:
    return next(_sidecars(folder.resolve()), None) is not None


def read_sidecars(folder: Path) -> ExportListing:
    """Read every ``NAME.json`` sidecar under the folder, in path order; one sidecar is one call."""
    folder = folder.resolve()
    results = [_sidecar_row(path, values, folder) for path, values in _sidecars(folder)]
    if not results:
        raise ExportError(f"{folder}: no JSON sidecars (NAME.json beside NAME.wav, or with an 'audio' key)")
    return build_listing(folder, "sidecar", results)


def _sidecars(folder: Path) -> Iterable[tuple[Path, dict | str]]:
    """Yield (path, parsed object or a problem) for each JSON file that is a sidecar.

    A JSON file counts when an audio file with its stem sits beside it, or it has an ``audio`` key
    (for a file that does not parse: its text mentions "audio"). Other JSON files, such as the
    sample calls' ``*.truth.json``, are not sidecars. Hidden files and folders (``._a.json`` from
    macOS copies) are skipped, and symlinked folders are not followed (no loops, no escape).
    """
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(".json"):
                continue
            path = here / name
            parsed, mentions_audio = _load_sidecar(path, folder)
            beside = _audio_beside(path, files)
            if beside or mentions_audio:
                yield path, parsed


def _load_sidecar(path: Path, folder: Path) -> tuple[dict | str, bool]:
    """(object or problem, whether it has/mentions an audio key).

    A sidecar that is a symlink out of the export is not read: its contents would become a call's
    metadata (or be quoted in an error) though they are no part of the export."""
    try:
        target = path.resolve(strict=True)
        if not target.is_relative_to(folder):
            return "sidecar is a symlink to a file outside the export folder; it was not read", True
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            return "sidecar is not a regular file", True
        if info.st_size > MAX_SIDECAR_BYTES:
            return f"sidecar is larger than {MAX_SIDECAR_BYTES // 1024} KB", True
        data = target.read_bytes()
    except RuntimeError:
        return "sidecar is a symlink loop", True
    except OSError as exc:
        return f"cannot read the sidecar ({exc.strerror})", True
    mentions = b'"audio"' in data or _wide_encoding(data) is not None and "audio".encode("utf-16-le") in data
    try:
        value = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_repeated_keys)
    except UnicodeDecodeError:
        encoding = _wide_encoding(data)
        return (f"sidecar is {encoding} text, not UTF-8" if encoding else "sidecar is not UTF-8 text"), mentions
    except json.JSONDecodeError as exc:
        what = printable(exc.msg.removesuffix(" at"))
        return f"sidecar is not valid JSON ({what} at line {exc.lineno} column {exc.colno})", mentions
    except RecursionError:
        return "sidecar is nested too deeply to be a call's metadata", mentions
    except _RepeatedKey as exc:
        return f"sidecar repeats the key {quote(str(exc), 40)} (which value is meant?)", mentions
    except ValueError:   # an integer of thousands of digits: Python refuses to convert it
        return "sidecar holds a number too long to be a call's metadata", mentions
    if _depth(value) > MAX_SIDECAR_DEPTH:
        return f"sidecar is nested more than {MAX_SIDECAR_DEPTH} levels deep", True
    if not isinstance(value, dict):
        return f"sidecar is not a JSON object (found {_JSON_TYPES.get(type(value), 'another value')})", False
    return value, "audio" in value


_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}
MAX_SIDECAR_BYTES = 1024 * 1024   # a call's metadata is a few hundred bytes
MAX_SIDECAR_DEPTH = 16


class _RepeatedKey(ValueError):
    """A JSON object with one key twice: json keeps the last silently, a reader would see the first."""


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen[key] = value
    return seen


def _depth(value: object, level: int = 0) -> int:
    """How deeply a parsed JSON value nests (stops counting past the limit)."""
    if level > MAX_SIDECAR_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _audio_beside(sidecar: Path, names: list[str]) -> list[str]:
    """Files that the sidecar describes by name: ``a.json`` -> ``a.<anything>``, ``a.wav.json`` -> ``a.wav``."""
    stem = sidecar.stem
    if stem in names and (sidecar.parent / stem).is_file():
        return [stem]
    return sorted(n for n in names if Path(n).stem == stem and not n.lower().endswith(".json")
                  and not n.startswith(".") and (sidecar.parent / n).is_file())


def _sidecar_row(path: Path, parsed: dict | str, folder: Path) -> CallRecord | RowError:
    source = path.relative_to(folder).as_posix()
    if isinstance(parsed, str):
        return RowError(source, None, parsed)
    values, problems = _as_strings(parsed)
    call_id, _ = _check_call_id(values.get("call_id", "").strip())
    if problems:
        return RowError(source, call_id, "; ".join(problems))
    if not values.get("audio", "").strip():
        beside = _audio_beside(path, os.listdir(path.parent))
        if len(beside) != 1:
            found = f"several: {', '.join(beside)}" if beside else "none"
            return RowError(source, call_id, f"no 'audio' key and no single audio file named {path.stem}.* beside "
                                             f"the sidecar ({found})")
        values["audio"] = beside[0]
    return parse_row(values, folder, path.parent, source)


def _scalar_text(value: str | int | float) -> str:
    """A JSON scalar as cell text; NaN and Infinity (which Python's json accepts) stay visibly wrong."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return str(value)


def _as_strings(obj: dict) -> tuple[dict[str, str], list[str]]:
    """JSON scalars as the strings a manifest cell would hold; nested values only allowed in extras."""
    values: dict[str, str] = {}
    problems = []
    for key, value in obj.items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif value is None:
            values[key] = ""
        elif isinstance(value, (str, int, float)):
            values[key] = _scalar_text(value)
        elif key in FIELDS:
            kind = "an object" if isinstance(value, dict) else "an array"
            problems.append(f"{key} must be a string, number or boolean, not {kind}")
        else:
            values[key] = json.dumps(value, ensure_ascii=False)
    return values, problems


# --- registry and entry point ---------------------------------------------------------------


READERS: dict[str, ExportReader] = {
    "manifest": ExportReader(detect_manifest, read_manifest),
    "sidecar": ExportReader(detect_sidecars, read_sidecars),
}
_entry_point_names: set[str] = set()  # readers that came from entry points (replaced on reload)
_entry_point_problems: dict[str, str] = {}  # entry points that could not be loaded, by name
_entry_points_loaded = False


def register_reader(name: str, detect: Callable[[Path], bool], read: Callable[[Path], ExportListing],
                    *, replace: bool = False) -> None:
    """Add a recorder format; auto-detection tries readers in registration order (built-ins first)."""
    if not name or not isinstance(name, str):
        raise ValueError("an export reader needs a non-empty name")
    if not callable(detect) or not callable(read):
        raise TypeError(f"export reader {name!r}: detect and read must be callables")
    if name in READERS and not replace:
        raise ValueError(f"export reader {name!r} is already registered (pass replace=True to override)")
    READERS[name] = ExportReader(detect, read)


def load_entry_point_readers(reload: bool = False) -> list[str]:
    """Register readers declared by installed packages in the ``callqa.export_readers`` group.

    Each entry point's name is the reader's name and it must resolve to a ``(detect, read)`` tuple.
    Runs once per process unless ``reload``; returns the names registered by this call. A plugin
    that fails to load is logged and remembered (``read_export`` names it) rather than stopping
    exports that do not need it.
    """
    global _entry_points_loaded
    if _entry_points_loaded and not reload:
        return []
    _entry_points_loaded = True
    return _register_entry_points(entry_points(group=ENTRY_POINT_GROUP))


def _register_entry_points(eps: Iterable[EntryPoint]) -> list[str]:
    added = []
    for ep in eps:
        if ep.name in READERS and ep.name not in _entry_point_names:
            _entry_point_problem(ep, "the name is already taken by another reader")
            continue
        try:
            detect, read = ep.load()
            if not callable(detect) or not callable(read):
                raise TypeError("detect and read must be callables")
        except Exception as exc:  # noqa: BLE001 - third-party import or shape error: report, do not crash
            _entry_point_problem(ep, f"{type(exc).__name__}: {exc}")
            continue
        READERS[ep.name] = ExportReader(detect, read)
        _entry_point_names.add(ep.name)
        _entry_point_problems.pop(ep.name, None)
        added.append(ep.name)
    return added


def _entry_point_problem(ep: EntryPoint, problem: str) -> None:
    message = f"entry point {ep.name!r} ({ep.value}) not loaded: {problem}"
    _entry_point_problems[ep.name] = message
    log.warning("%s: %s", ENTRY_POINT_GROUP, message)


def _plugin_note() -> str:
    return "".join(f"; {p}" for p in _entry_point_problems.values())


# --- entry point ----------------------------------------------------------------------------


def read_export(folder: str | Path, reader: str | None = None) -> ExportListing:
    """Read one export folder with the named reader, or the first registered one that recognises it."""
    path = Path(folder)
    if not path.exists():
        raise ExportError(f"export folder not found: {path}")
    if not path.is_dir():
        raise ExportError(f"export folder is not a directory: {path}")
    path = path.resolve()
    load_entry_point_readers()
    name = reader or _detect(path)
    if name not in READERS:
        raise ExportError(f"unknown export reader {name!r}; known readers: {', '.join(READERS)}{_plugin_note()}")
    return _enforce(READERS[name].read(path), path, name)


def _detect(folder: Path) -> str:
    for name, candidate in READERS.items():
        try:
            if candidate.detect(folder):
                return name
        except Exception as exc:  # a plugin's detect must not hide which plugin broke
            raise ExportError(f"export reader {name!r} failed while inspecting {folder}: {exc}") from exc
    raise ExportError(f"{folder}: no manifest.csv and no JSON sidecars (readers tried: {', '.join(READERS)})"
                      f"{_plugin_note()}")
