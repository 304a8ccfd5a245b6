"""Indicators: pure functions of (transcript, speech timeline, metadata, rule pack) -> status + evidence.

The built-in indicators are declared once in `callqa.pipeline.catalog`; each lives in
`callqa.pipeline.indicators.<module>.evaluate`. A rule pack's enabled `[custom.NAME]` indicators are
judged by `custom.evaluate` and scored, weighted and flagged like the built-in ones.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from typing import Any, Callable

from callqa.pipeline.catalog import BUILT_IN, INDICATORS
from callqa.pipeline.indicators import answer_time, custom, silence
from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.indicators.silence import Silence
from callqa.pipeline.rules import SEVERITIES, RulePack

EVALUATORS: dict[str, Callable[[CallContext, RulePack], IndicatorResult]] = {
    spec.name: importlib.import_module(f"callqa.pipeline.indicators.{spec.module}").evaluate
    for spec in BUILT_IN if spec.name != "unexplained_silence"}


@dataclass(frozen=True)
class Flag:
    """A failed indicator raised for a QA lead: why, where to listen, how severe and how sure."""

    indicator: str
    reason: str
    start_s: float
    severity: str
    confidence: float
    needs_review: bool   # confidence under the rule pack's scoring.review_below: a question, not a finding

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Scoring:
    """Everything the rules say about one call; re-computable from stored data alone."""

    silences: list[Silence]
    indicators: dict[str, IndicatorResult]
    flags: list[Flag]
    score: float | None          # weighted share of applicable indicators passed, 0-100
    review_priority: str         # "high" when the caller raised a vulnerability


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def score_call(ctx: CallContext, rules: RulePack) -> Scoring:
    if not ctx.segments or not any(_has_words(seg.text) for seg in ctx.segments):
        # An abandoned or dead call, or one whose "speech" was line noise the recogniser heard as
        # "." only: nothing to judge, and nothing to flag.
        reason = ("no speech was recognised in the recording" if not ctx.segments else
                  "no words were recognised: the speech detector heard sound, the recogniser only punctuation "
                  "(line noise?)")
        results = {name: IndicatorResult("not_applicable", reason) for name in rules.indicator_names}
        results["answer_time"] = answer_time.evaluate(ctx, rules)
        return Scoring([], results, flags_for(results, rules), weighted_score(results, rules), "normal")
    silences = silence.describe_silences(ctx, rules)
    results = {name: (silence.evaluate(ctx, rules, silences) if name == "unexplained_silence"
                      else EVALUATORS[name](ctx, rules)) for name in INDICATORS}
    for name, spec in rules.custom.items():
        results[name] = custom.evaluate(ctx, rules, name, spec)
    priority = "high" if results["vulnerability"].status != "not_applicable" else "normal"
    return Scoring(silences, results, flags_for(results, rules), weighted_score(results, rules), priority)


def weighted_score(results: dict[str, IndicatorResult], rules: RulePack) -> float | None:
    """100 x (weight of indicators passed) / (weight of indicators that applied); None if none applied."""
    applied = {name: rules.weight(name) for name, r in results.items() if r.status != "not_applicable"}
    total = sum(applied.values())
    if not total:
        return None
    return round(100 * sum(w for name, w in applied.items() if results[name].status == "pass") / total, 1)


def flags_for(results: dict[str, IndicatorResult], rules: RulePack) -> list[Flag]:
    """One flag per failed indicator that counts towards flags, most severe first, then by time.

    A flag whose confidence is under the rule pack's `scoring.review_below` is `needs_review`: a
    question for a QA lead, shown apart from the findings.
    """
    review_below = rules.section("scoring")["review_below"]
    flags = []
    for name, result in results.items():
        if result.status == "fail" and rules.flags_on(name):
            start = result.evidence[0].start_s if result.evidence else 0.0
            flags.append(Flag(name, result.reason, round(start, 2), rules.severity(name), result.confidence,
                              result.confidence < review_below))
    return sorted(flags, key=lambda f: (f.needs_review, SEVERITIES.index(f.severity), f.start_s))


__all__ = ["EVALUATORS", "INDICATORS", "CallContext", "Evidence", "Flag", "IndicatorResult", "Scoring", "Silence",
           "weighted_score", "flags_for", "score_call"]
