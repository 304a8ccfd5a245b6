"""What every indicator takes and returns: the call's context in, a status with evidence out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pipeline.matching import Match, PhraseIndex, Token, tokens_of
from pipeline.transcript import Segment
from pipeline.vad import Region

STATUSES = ("pass", "fail", "not_applicable")


@dataclass
class Evidence:
    """Enough to check a judgement in seconds: who, when, the words, and the rule that fired."""

    speaker: str | None
    start_s: float
    end_s: float
    text: str
    rule: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "text": self.text, "rule": self.rule, **self.extra}

    @classmethod
    def of_match(cls, match: Match, rule: str) -> "Evidence":
        return cls(match.speaker, match.start_s, match.end_s, match.text, rule, {"score": round(match.score, 1)})


@dataclass
class IndicatorResult:
    status: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"bad indicator status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass
class CallContext:
    """Everything an indicator may look at: transcript, who spoke when, and the recording layout."""

    layout: str                           # "stereo" or "mono"
    duration_s: float
    segments: list[Segment]
    timelines: dict[str, list[Region]]    # speaker -> speech regions from the VAD

    @property
    def attributed(self) -> bool:
        """Whether words carry a real speaker (stereo: one party per channel)."""
        return self.layout == "stereo"

    @property
    def handler_labels(self) -> set[str]:
        # A mono recording has no speaker labels yet; its words are "unknown" and may be the handler's.
        return {"handler"} if self.attributed else {"unknown"}

    def handler_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.speaker in self.handler_labels]

    @cached_property
    def handler_tokens(self) -> list[Token]:
        """Normalised handler words, computed once and shared by every indicator."""
        return tokens_of(self.handler_segments())

    @cached_property
    def handler_index(self) -> PhraseIndex:
        """The handler's words ready for phrase search, shared by every indicator."""
        return PhraseIndex(self.handler_tokens)
