"""Make input values safe to show in a message: printable, short, and with their edges visible.

Error messages end up on terminals, in CSV files, in the store and on pages. A value taken from
an export (a file name, a manifest cell, a chunk id from a damaged header) can hold an ANSI
escape that recolours a terminal, a NUL that truncates a log line, a bidi override that reverses
what a reader sees, or a megabyte of text. Everything shown to a user goes through these helpers.
"""

from __future__ import annotations

import unicodedata

EXCERPT_CHARS = 80   # the most of any one input value a message shows
# Cc: C0/C1 controls (NUL, ESC, CR, ...); Cf: format (bidi overrides, zero-width, BOM);
# Cs/Co/Cn: surrogates, private use and unassigned code points, which render as nothing or boxes.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def is_hidden(char: str) -> bool:
    """True for a character that a terminal or page would act on or not show."""
    return unicodedata.category(char) in _HIDDEN


def escape_char(char: str) -> str:
    """Python's repr-style escape for one character: \\x1b, \\u202e, \\U000e0001."""
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\t":
        return "\\t"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, limit: int | None = EXCERPT_CHARS, keep_newlines: bool = False) -> str:
    """``text`` with hidden characters escaped and, past ``limit`` characters, cut with a note.

    ``keep_newlines`` leaves line breaks alone, for messages that are laid out over lines.
    """
    text = str(text)
    shown = text if limit is None or len(text) <= limit else text[:limit]
    escaped = "".join(escape_char(c) if is_hidden(c) and not (keep_newlines and c == "\n") else c for c in shown)
    if shown is not text:
        escaped += f"... ({len(text)} characters)"
    return escaped


def quote(text: str, limit: int | None = EXCERPT_CHARS) -> str:
    """``text`` in quotes, so leading/trailing spaces and empty values show: ' lead_space.wav'.

    Like repr(), but only hidden characters are escaped (a Welsh or Polish name stays readable)
    and a long value is cut to an excerpt.
    """
    text = str(text)
    cut = limit is not None and len(text) > limit
    inner = printable(text[:limit] if cut else text, None).replace("'", "\\'")
    return f"'{inner}'" + (f"... ({len(text)} characters)" if cut else "")


def show_name(text: str, limit: int | None = None) -> str:
    """A file name or path as-is when it reads unambiguously, else quoted (spaces at an edge,
    hidden characters, quotes): plain paths stay copy-pasteable, odd ones become visible."""
    text = str(text)
    plain = (text and all(part == part.strip() for part in text.split("/")) and "'" not in text
             and not any(is_hidden(c) for c in text) and (limit is None or len(text) <= limit))
    return text if plain else quote(text, limit)


def show_path(path: str, limit: int = EXCERPT_CHARS) -> str:
    """A path as show_name shows it, with any one part longer than ``limit`` shortened in the
    middle ("xxxx...xxxx.wav"): the message still names the file without a 250-character echo."""
    parts = str(path).split("/")
    keep = max(limit - 20, 10)
    short = [p if len(p) <= limit else f"{p[:keep]}...{p[-17:]}" for p in parts]
    return show_name("/".join(short))


def show_bytes(data: bytes) -> str:
    """Bytes from a damaged header: as text when they are plain ASCII letters, else as hex."""
    if data and all(0x20 <= b < 0x7F for b in data):
        return quote(data.decode("ascii"))
    return "bytes " + " ".join(f"{b:02x}" for b in data[:16]) + (" ..." if len(data) > 16 else "")


def page_text(value: object) -> object:
    """Jinja's `finalize` for pages and packs: every text a template prints has its hidden
    characters escaped (autoescape handles markup, not an ESC or a bidi override in a transcript).
    Markup the app built itself, numbers and None pass through unchanged."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return printable(value, limit=None, keep_newlines=True)
    return value
