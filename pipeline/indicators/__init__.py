"""Indicators: pure functions of (transcript, speech timeline, metadata, rule pack) -> status + evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.indicators import (
    acknowledgement,
    answer_time,
    empathy,
    greeting,
    informal_language,
    listening,
    next_steps,
    recap,
    repeated_questions,
    silence,
    vulnerability,
)
from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.indicators.silence import Silence
from pipeline.rules import INDICATORS, SEVERITIES, RulePack

EVALUATORS = {
    "greeting": greeting.evaluate,
    "informal_language": informal_language.evaluate,
    "next_steps": next_steps.evaluate,
    "listening": listening.evaluate,
    "acknowledgement": acknowledgement.evaluate,
    "empathy": empathy.evaluate,
    "recap": recap.evaluate,
    "repeated_questions": repeated_questions.evaluate,
    "vulnerability": vulnerability.evaluate,
    "answer_time": answer_time.evaluate,
}


@dataclass
class Scoring:
    """Everything the rules say about one call; re-computable from stored data alone."""

    silences: list[Silence]
    indicators: dict[str, IndicatorResult]
    flags: list[dict[str, Any]]
    score: float | None          # weighted share of applicable indicators passed, 0-100
    review_priority: str         # "high" when the caller raised a vulnerability


def score_call(ctx: CallContext, rules: RulePack) -> Scoring:
    if not ctx.segments:  # an abandoned or dead call: nothing to judge, and nothing to flag
        reason = "no speech was recognised in the recording"
        results = {name: IndicatorResult("not_applicable", reason) for name in INDICATORS}
        results["answer_time"] = answer_time.evaluate(ctx, rules)
        return Scoring([], results, flags_for(results, rules), call_score(results, rules), "normal")
    silences = silence.describe_silences(ctx, rules)
    results = {name: (silence.evaluate(ctx, rules, silences) if name == "unexplained_silence"
                      else EVALUATORS[name](ctx, rules)) for name in INDICATORS}
    priority = "high" if results["vulnerability"].status != "not_applicable" else "normal"
    return Scoring(silences, results, flags_for(results, rules), call_score(results, rules), priority)


def call_score(results: dict[str, IndicatorResult], rules: RulePack) -> float | None:
    """100 x (weight of indicators passed) / (weight of indicators that applied); None if none applied."""
    weights = rules.section("scoring")["weights"]
    applied = {name: weights[name] for name, r in results.items() if r.status != "not_applicable"}
    total = sum(applied.values())
    if not total:
        return None
    return round(100 * sum(w for name, w in applied.items() if results[name].status == "pass") / total, 1)


def flags_for(results: dict[str, IndicatorResult], rules: RulePack) -> list[dict]:
    """One flag per failed indicator that counts towards flags, most severe first, then by time."""
    cfg = rules.section("scoring")
    flags = []
    for name in cfg["flag_indicators"]:
        result = results[name]
        if result.status == "fail":
            start = result.evidence[0].start_s if result.evidence else 0.0
            flags.append({"indicator": name, "reason": result.reason, "start_s": round(start, 2),
                          "severity": cfg["severity"][name]})
    return sorted(flags, key=lambda f: (SEVERITIES.index(f["severity"]), f["start_s"]))


__all__ = ["EVALUATORS", "INDICATORS", "CallContext", "Evidence", "IndicatorResult", "Scoring", "Silence",
           "call_score", "flags_for", "score_call"]
