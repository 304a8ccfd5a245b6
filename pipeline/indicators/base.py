"""What every indicator takes and returns: the call's context in, a status with evidence out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from callqa.pipeline.intents import INTENTS, IntentFinder, IntentHit, IntentSpec, SentenceVectors
from callqa.pipeline.intents.questions import is_question
from callqa.pipeline.matching import Match, PhraseIndex, Token, tokens_of
from callqa.pipeline.transcript import Segment
from callqa.pipeline.vad import Region

STATUSES = ("pass", "fail", "not_applicable")


def asks(tokens, rules) -> bool:
    """Whether these words ask something, by the pack's `silence.question_starts` and its "?" rule."""
    cfg = rules.section("silence")
    return is_question(" ".join(t.raw for t in tokens), cfg["question_starts"], cfg["question_mark_min_words"])


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

    @classmethod
    def of_hit(cls, hit: IntentHit, note: str = "") -> "Evidence":
        """Names the phrase or exemplar matched (its rule-pack key), the similarity and how sure it is."""
        return cls(hit.speaker, hit.start_s, hit.end_s, hit.text, hit.rule + (f" {note}" if note else ""),
                   hit.evidence_extra())


@dataclass
class IndicatorResult:
    status: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)  # numbers a QA lead may trend (talk share, ...)
    confidence: float = 1.0   # 0-1: how sure the status is (word probabilities and match margins)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"bad indicator status {self.status!r}")
        self.confidence = round(max(0.0, min(1.0, float(self.confidence))), 2)

    def to_dict(self) -> dict[str, Any]:
        out = {"status": self.status, "reason": self.reason, "confidence": self.confidence,
               "evidence": [e.to_dict() for e in self.evidence]}
        if self.metrics:
            out["metrics"] = self.metrics
        return out


@dataclass
class CallContext:
    """Everything an indicator may look at: transcript, who spoke when, and the recording layout."""

    layout: str                           # "stereo" or "mono"
    duration_s: float
    segments: list[Segment]
    timelines: dict[str, list[Region]]    # speaker -> speech regions from the VAD
    call_type: str | None = None          # "101" / "999" from the recorder's metadata, if known
    answer_delay_s: float | None = None   # seconds from ringing to answer, if known
    vectors: SentenceVectors | None = None  # sentence embeddings stored with the transcription
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # shared by indicators

    @property
    def attributed(self) -> bool:
        """Whether words carry a real speaker: one party per channel, or a confident diarization."""
        return "handler" in self.timelines

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

    def caller_segments(self) -> list[Segment]:
        # On a mono recording nobody's words are attributed: all speech may be the caller's.
        return [s for s in self.segments if s.speaker == ("caller" if self.attributed else "unknown")]

    @cached_property
    def caller_tokens(self) -> list[Token]:
        return tokens_of(self.caller_segments())

    @cached_property
    def caller_index(self) -> PhraseIndex:
        return PhraseIndex(self.caller_tokens)

    def speech_span(self) -> tuple[float, float] | None:
        """First and last moment anyone speaks."""
        regions = [r for regions in self.timelines.values() for r in regions]
        if not regions:
            return None
        return min(r.start_s for r in regions), max(r.end_s for r in regions)

    def intents(self, rules) -> IntentFinder:
        """Where each party expressed each intent, found once per call and rule pack."""
        key = f"intents:{rules.version}:{rules.source}"
        if key not in self.memo:
            if self.vectors is None:
                self.vectors = SentenceVectors.from_dict(None)
            custom = {f"custom.{name}": IntentSpec(f"custom.{name}", spec["speaker"], None, spec["question"])
                      for name, spec in rules.custom.items()}
            self.memo[key] = IntentFinder({"handler": self.handler_tokens, "caller": self.caller_tokens}, rules,
                                          self.vectors, {**INTENTS, **custom})
        return self.memo[key]

    @cached_property
    def handler_index(self) -> PhraseIndex:
        """The handler's words ready for phrase search, shared by every indicator."""
        return PhraseIndex(self.handler_tokens)
