"""Indicators: pure functions of (transcript, speech timeline, rule pack) -> status + evidence."""

from __future__ import annotations

from pipeline.indicators import greeting, informal_language, next_steps, silence
from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.indicators.silence import Silence
from pipeline.rules import RulePack

INDICATORS = ("greeting", "unexplained_silence", "informal_language", "next_steps")


def score_call(ctx: CallContext, rules: RulePack) -> tuple[list[Silence], dict[str, IndicatorResult]]:
    """Run every indicator; silences are returned too because the result lists them."""
    if not ctx.segments:  # an abandoned or dead call: nothing to judge, and nothing to flag
        reason = "no speech was recognised in the recording"
        return [], {name: IndicatorResult("not_applicable", reason) for name in INDICATORS}
    silences = silence.describe_silences(ctx, rules)
    results = {
        "greeting": greeting.evaluate(ctx, rules),
        "unexplained_silence": silence.evaluate(ctx, rules, silences),
        "informal_language": informal_language.evaluate(ctx, rules),
        "next_steps": next_steps.evaluate(ctx, rules),
    }
    return silences, results


def flags_for(results: dict[str, IndicatorResult]) -> list[dict]:
    """One flag per failed indicator, pointing at its first piece of evidence."""
    flags = []
    for name in INDICATORS:
        result = results[name]
        if result.status == "fail":
            start = result.evidence[0].start_s if result.evidence else 0.0
            flags.append({"indicator": name, "reason": result.reason, "start_s": round(start, 2)})
    return flags


__all__ = ["INDICATORS", "CallContext", "Evidence", "IndicatorResult", "Silence", "flags_for", "score_call"]
