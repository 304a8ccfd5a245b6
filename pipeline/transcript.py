"""Transcript data: words with times and a speaker, and the turns built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

SPEAKERS = ("handler", "caller", "unknown")


@dataclass
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float

    def to_dict(self) -> dict:
        return {"text": self.text, "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "probability": round(self.probability, 3)}


@dataclass
class Segment:
    """One stretch of one party's speech; its words carry the timing evidence."""

    speaker: str
    start_s: float
    end_s: float
    text: str
    words: list[Word] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"speaker": self.speaker, "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "text": self.text, "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, data: dict) -> "Segment":
        words = [Word(w["text"], w["start_s"], w["end_s"], w.get("probability", 1.0)) for w in data.get("words", [])]
        return cls(data["speaker"], data["start_s"], data["end_s"], data["text"], words)


def segment_from_words(speaker: str, words: list[Word]) -> Segment:
    text = "".join(w.text for w in words).strip()
    return Segment(speaker, words[0].start_s, words[-1].end_s, text, words)


def split_words(words: list[Word], max_gap_s: float) -> list[list[Word]]:
    """Cut a word stream wherever the speaker paused longer than `max_gap_s`.

    Decoding packs speech regions together, so one decoder segment can straddle a long pause;
    the indicators need segments that never span a silence.
    """
    groups: list[list[Word]] = []
    for word in words:
        if groups and word.start_s - groups[-1][-1].end_s <= max_gap_s:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def merge_channels(per_speaker: dict[str, list[Segment]]) -> list[Segment]:
    """Interleave both parties' segments in time order."""
    merged = [seg for segs in per_speaker.values() for seg in segs]
    merged.sort(key=lambda s: (s.start_s, s.end_s))
    return merged
