"""The automated verdict on a decided flag under a rule pack, and how often it matches the QA lead.

Under a pack, a call's indicator is *flagged* when re-scoring the stored call raises a finding for
it: a flag that is not `needs_review` (a question under `scoring.review_below` is not a finding).
A confirmed flag agrees when the pack still flags it; a dismissed one agrees when the pack does
not. Scoring is from stored data only (no speech-to-text), as `callqa rescore` does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from callqa.pipeline.analyze import score_stored
from callqa.pipeline.indicators import CallContext, Scoring, score_call
from callqa.pipeline.intents import SentenceVectors
from callqa.pipeline.rules import RulePack
from callqa.pipeline.transcript import Segment
from callqa.pipeline.vad import Region
from callqa.store.agreement import DecidedFlag


@dataclass(frozen=True)
class Agreement:
    """Of `n` decided flags, `agree` had the automated verdict the QA lead gave."""

    n: int
    agree: int

    @property
    def share(self) -> float | None:
        return self.agree / self.n if self.n else None

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "agree": self.agree, "share": None if self.share is None else round(self.share, 4)}


def _parts(row: dict[str, Any]) -> tuple[list[Segment], dict[str, list[Region]], SentenceVectors]:
    segments = [Segment.from_dict(s) for s in row["transcript"]]
    timelines = {speaker: [Region(a, b) for a, b in regions] for speaker, regions in row["speech"].items()}
    return segments, timelines, SentenceVectors.from_dict(row.get("vectors"))


def stored_context(row: dict[str, Any]) -> CallContext:
    """A stored transcription as the indicators see it, built once and scored under many packs
    (its words and vectors are shared; each pack's intents are memoised by version)."""
    segments, timelines, vectors = _parts(row)
    return CallContext(row["layout"], row["duration_s"], segments, timelines, row.get("call_type"),
                       row.get("answer_delay_s"), vectors)


def rescored(row: dict[str, Any], rules: RulePack) -> Scoring:
    """One stored call re-scored exactly as `callqa rescore` does (a fresh context)."""
    segments, timelines, vectors = _parts(row)
    return score_stored(row["layout"], row["duration_s"], segments, timelines, rules, row.get("call_type"),
                        row.get("answer_delay_s"), vectors)


def findings(scoring: Scoring) -> set[str]:
    """The indicators a scoring raises as findings (flags that are not questions)."""
    return {f.indicator for f in scoring.flags if not f.needs_review}


def findings_by_call(contexts: dict[str, CallContext], rules: RulePack) -> dict[str, set[str]]:
    return {call_id: findings(score_call(ctx, rules)) for call_id, ctx in contexts.items()}


def agreement(decisions: Iterable[DecidedFlag], flagged: dict[str, set[str]]) -> Agreement:
    """How many decisions the verdicts in `flagged` (call id -> indicators found) match."""
    n = agree = 0
    for d in decisions:
        if d.call_id not in flagged:
            continue  # no stored transcript to re-score: it cannot be measured
        n += 1
        agree += (d.indicator in flagged[d.call_id]) == (d.decision == "confirm")
    return Agreement(n, agree)


def agreement_by_indicator(decisions: Sequence[DecidedFlag], flagged: dict[str, set[str]]) -> dict[str, Agreement]:
    return {name: agreement([d for d in decisions if d.indicator == name], flagged)
            for name in sorted({d.indicator for d in decisions})}
