"""Editing a rule pack's TOML text in place: a threshold's value, sentences added to a list.

A proposal is the current pack's own text with only the learnt lines changed, so its comments
stay and `difflib` shows a QA lead exactly what would change. Each edit is checked by parsing
the result (`check_edits`).
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from callqa.errors import ConfigError


class PackEditError(ConfigError):
    """The pack's text does not hold the key where tuning expects it."""


def _section_span(lines: list[str], section: str) -> tuple[int, int]:
    """Line range [start, end) of `[section]`'s body ("" = the top, before the first header)."""
    header = re.compile(r"^\s*\[(?!\[)\s*(.+?)\s*\]\s*(#.*)?$")
    wanted = ".".join(p.strip().strip('"') for p in _split_dotted(section))
    start = 0 if section == "" else None
    for i, line in enumerate(lines):
        m = header.match(line)
        if not m:
            continue
        name = ".".join(p.strip().strip('"') for p in _split_dotted(m.group(1)))
        if start is not None:
            return start, i
        if name == wanted:
            start = i + 1
    if start is None:
        raise PackEditError(f"no [{section}] section")
    return start, len(lines)


def _split_dotted(name: str) -> list[str]:
    return re.findall(r'"[^"]*"|[^.]+', name)


def _key_line(lines: list[str], span: tuple[int, int], key: str) -> int | None:
    pattern = re.compile(rf'^\s*("{re.escape(key)}"|{re.escape(key)})\s*=')
    return next((i for i in range(*span) if pattern.match(lines[i])), None)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    raise TypeError(f"no TOML form for {value!r}")


def set_value(text: str, section: str, key: str, value: Any) -> str:
    """`key = value` in `[section]`, replacing the old value and keeping any trailing comment."""
    lines = text.splitlines(keepends=True)
    span = _section_span(lines, section)
    i = _key_line(lines, span, key)
    if i is None:
        raise PackEditError(f"no {key} in [{section}]")
    m = re.match(r'^(\s*\S+\s*=\s*)(.*?)(\s*#[^"\']*)?(\r?\n)?$', lines[i])
    assert m is not None
    lines[i] = m.group(1) + toml_value(value) + (m.group(3) or "") + (m.group(4) or "")
    return "".join(lines)


def _closing_bracket(text: str, opening: int) -> int:
    """Index of the `]` closing the array opened at `opening`, skipping strings and comments."""
    depth, i, quote = 0, opening, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise PackEditError("unclosed array")


def add_to_list(text: str, section: str, key: str, items: list[str]) -> str:
    """Append `items` to the array `key` of `[section]` (made when missing), one per line."""
    if not items:
        return text
    lines = text.splitlines(keepends=True)
    span = _section_span(lines, section)
    i = _key_line(lines, span, key)
    rendered = ", ".join(toml_value(item) for item in items)
    if i is None:
        lines.insert(span[0], f"{key} = [{rendered}]\n")
        return "".join(lines)
    offset = sum(len(line) for line in lines[:i])
    opening = text.index("[", offset + lines[i].index("="))
    closing = _closing_bracket(text, opening)
    before = text[opening + 1:closing].rstrip()
    head = text[:opening + 1] + before
    own_line = text[text.rfind("\n", 0, closing) + 1:closing].strip() == "" and "\n" in text[opening:closing]
    if own_line:  # `]` alone on its line: one new line per sentence, as the pack writes them
        sep = "" if before.endswith(",") or before.endswith("[") else ","
        added = "".join(f"\n  {toml_value(item)}," for item in items)
        return head + sep + added + "\n" + text[closing:]
    sep = "" if before.endswith(",") or before == "" else ", "
    if before.endswith(","):
        sep = " "
    return head + sep + rendered + text[closing:]


def check_edits(text: str, expected: dict[tuple[str, str], Any]) -> None:
    """The edited text parses and holds each expected (section, key) value (lists: as a superset)."""
    data = tomllib.loads(text)
    for (section, key), value in expected.items():
        table: Any = data
        for part in [p.strip('"') for p in _split_dotted(section)] if section else []:
            table = table[part]
        got = table.get(key)
        if isinstance(value, list):
            if not isinstance(got, list) or not set(value) <= set(got):
                raise PackEditError(f"[{section}] {key}: the edit did not add {value!r}")
        elif got != value:
            raise PackEditError(f"[{section}] {key}: expected {value!r}, the edit gave {got!r}")


def pack_text(source: str) -> str:
    """The text of a loaded pack: its file, or (`models/rules/NAME`, the bundled pack's source) the
    copy in the installed `callqa.models` package, wherever the command runs from."""
    from importlib import resources
    from pathlib import Path

    path = Path(source)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    parts = path.parts
    if len(parts) == 3 and parts[0] == "models":
        return resources.files("callqa.models").joinpath(parts[1], parts[2]).read_text(encoding="utf-8")
    raise PackEditError(f"{source}: cannot read the rule pack's text to edit it")
