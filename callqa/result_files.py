"""Exports for people outside callqa: a call's transcript as WebVTT, a batch's indicators as CSV.

WebVTT plays in any browser's <track> beside the recording; the CSV opens in a spreadsheet.
Both are built from the result JSON / store rows, so they never need the audio.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from callqa.messages import printable
from callqa.pipeline.rules import INDICATORS

SPEAKER_NAMES = {"handler": "Handler", "caller": "Caller", "unknown": "Speaker"}


def vtt_time(seconds: float) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _vtt_text(text: str) -> str:
    """Cue text is markup in WebVTT: escape it, and never let a line read as a cue boundary."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return printable(" ".join(text.replace("-->", "--&gt;").split()), limit=None)  # no ESC/NUL reaches a player


def to_webvtt(result: dict[str, Any]) -> str:
    """One cue per transcript segment, voiced by speaker; flags as NOTE blocks at their times."""
    lines = ["WEBVTT", "", f"NOTE call {result['call_id']}, rules {result.get('rules_version', '?')}", ""]
    cues = [(seg["start_s"], "cue", seg) for seg in result["transcript"]]
    cues += [(flag["start_s"], "flag", flag) for flag in result.get("flags", [])]
    for n, (_, kind, item) in enumerate(sorted(cues, key=lambda c: (c[0], c[1] == "cue")), start=1):
        if kind == "flag":
            lines += [f"NOTE flag {item['indicator']} at {vtt_time(item['start_s'])}: "
                      f"{_vtt_text(item['reason'])}", ""]
            continue
        end = max(item["end_s"], item["start_s"] + 0.01)
        voice = SPEAKER_NAMES.get(item["speaker"], item["speaker"])
        lines += [str(n), f"{vtt_time(item['start_s'])} --> {vtt_time(end)}",
                  f"<v {voice}>{_vtt_text(item['text'])}", ""]
    return "\n".join(lines)


TABLE_COLUMNS = ["call_id", "started_at", "call_type", "area", "handler_id", "answer_delay_s", "rules_version",
                 "score", "review_priority", *INDICATORS, "flags", "needs_review"]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> Any:
    """A string cell made safe for a spreadsheet and a terminal: hidden characters (NUL, ANSI
    escapes, bidi overrides, line breaks) escaped as \\x1b and the like, and a cell a spreadsheet
    would run as a formula (=, +, -, @, tab, CR from export metadata or a transcript) prefixed with '."""
    if not isinstance(value, str):
        return value
    value = printable(value, limit=None)
    if value.lstrip(" ")[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def indicator_table_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Rows from `Store.indicator_table()`: one call per row, one column per indicator's status."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in TABLE_COLUMNS})
    return out.getvalue()
