"""Which transcript lines hold a flag's evidence, so the call page can highlight them and each flag
card can link to its words.

A flag's evidence is a list of time spans (`evidence_s` on the flag). A transcript line is
evidence when its time overlaps one of them. A silence has no words of its own: its evidence is
the last line before it (the words the caller was left with), and only the silences that raised
the flag count (the indicator lists the explained ones too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from callqa.timeline_svg import SILENCE_INDICATOR, flagged_silence_spans


@dataclass(frozen=True)
class EvidenceMarks:
    """lines: transcript index -> the flag ids whose evidence it holds; anchors: flag id -> its first line."""

    lines: dict[int, list[int]] = field(default_factory=dict)
    anchors: dict[int, int] = field(default_factory=dict)


def _overlaps(seg: Mapping[str, Any], start: float, end: float) -> bool:
    s, e = float(seg["start_s"]), float(seg["end_s"])
    if end <= start:  # a moment, not a span
        return s <= start <= e
    return s < end and start < e


def _line_before(transcript: Sequence[Mapping[str, Any]], moment: float) -> int | None:
    before = [i for i, seg in enumerate(transcript) if float(seg["start_s"]) < moment + 0.3]
    return max(before, key=lambda i: float(transcript[i]["end_s"])) if before else None


def evidence_marks(result: Mapping[str, Any], flags: Sequence[Mapping[str, Any]]) -> EvidenceMarks:
    """The marks for one call's current result and its flags (store rows: id, indicator, evidence_s)."""
    transcript = list(result.get("transcript") or [])
    lines: dict[int, list[int]] = {}
    anchors: dict[int, int] = {}
    for flag in flags:
        hit: list[int] = []
        if flag["indicator"] == SILENCE_INDICATOR:
            for start, _end in flagged_silence_spans(result, [flag]):
                line = _line_before(transcript, start)
                if line is not None:
                    hit.append(line)
        else:
            for span in flag.get("evidence_s") or []:
                start, end = float(span[0]), float(span[1])
                hit += [i for i, seg in enumerate(transcript) if _overlaps(seg, start, end)]
        for i in sorted(set(hit)):
            lines.setdefault(i, []).append(flag["id"])
        if hit:
            anchors[flag["id"]] = min(hit)
    return EvidenceMarks(lines, anchors)
