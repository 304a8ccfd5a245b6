"""Build transcripts by hand for indicator unit tests: (speaker, start, text) turns."""

from __future__ import annotations

from callqa.pipeline.indicators import CallContext
from callqa.pipeline.transcript import Segment, Word
from callqa.pipeline.vad import Region

WORD_S = 0.35  # each word lasts this long in a hand-built turn


def turn(speaker: str, start: float, text: str) -> Segment:
    words = [Word(" " + w, start + i * WORD_S, start + (i + 1) * WORD_S, 0.9) for i, w in enumerate(text.split())]
    return Segment(speaker, start, words[-1].end_s, text, words)


def context(turns: list[tuple[str, float, str]], layout: str = "stereo", duration: float | None = None) -> CallContext:
    segments = [turn(*t) for t in turns]
    timelines: dict[str, list[Region]] = {}
    for seg in segments:
        timelines.setdefault(seg.speaker, []).append(Region(seg.start_s, seg.end_s))
    if layout == "stereo":
        timelines.setdefault("handler", [])
        timelines.setdefault("caller", [])
    end = duration or max(s.end_s for s in segments) + 1
    return CallContext(layout, end, segments, timelines)
