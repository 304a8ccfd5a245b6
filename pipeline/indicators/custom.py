"""A yes/no indicator declared in the rule pack (`[custom.NAME]`), judged without new code.

It is an intent (`custom.NAME`, from its phrases and exemplars) looked for in one party's speech
in one stretch of the call: the opening, anywhere, the closing stretch, or after the caller
first showed a cue intent. `required` passes when it is found; `forbidden` fails when it is.
"""

from __future__ import annotations

from typing import Any

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.rules import RulePack


def _stretch(ctx: CallContext, rules: RulePack, spec: dict[str, Any]) -> tuple[float | None, float | None] | str:
    """(start, end) of where to look, or the reason it does not apply."""
    where = spec["where"]
    span = ctx.speech_span()
    if span is None:
        return "no speech"
    if where == "anywhere":
        return None, None
    if where == "opening":
        party = ctx.handler_segments() if spec["speaker"] == "handler" else ctx.caller_segments()
        if not party:
            return f"the {spec['speaker']} never spoke"
        return party[0].start_s - 0.5, party[0].start_s + spec["window_s"]
    if where == "closing":
        cfg = rules.section("recap")
        start, end = span
        return max(start, min(end - cfg["closing_share"] * (end - start), end - cfg["closing_min_s"])), None
    cue = next(iter(ctx.intents(rules).hits(spec["cue"])), None)
    if cue is None:
        return f"the caller showed no {spec['cue'].replace('_', ' ')}"
    return cue.start_s - 1.0, None


def evaluate(ctx: CallContext, rules: RulePack, name: str, spec: dict[str, Any]) -> IndicatorResult:
    stretch = _stretch(ctx, rules, spec)
    if isinstance(stretch, str):
        return IndicatorResult("not_applicable", stretch)
    start, end = stretch
    finder = ctx.intents(rules)
    intent = f"custom.{name}"
    hits = finder.hits(intent, start, end)
    where = spec["where"].replace("_", " ")
    evidence = [Evidence.of_hit(h) for h in hits]
    if hits:
        status = "pass" if spec["rule"] == "required" else "fail"
        return IndicatorResult(status, f"{spec['question']} {'Yes' if status == 'pass' else 'Said'} at "
                                       f"{hits[0].start_s:.1f} s ({where})", evidence,
                               confidence=max(h.confidence for h in hits))
    status = "fail" if spec["rule"] == "required" else "pass"
    return IndicatorResult(status, f"{spec['question']} Not found ({where})",
                           confidence=finder.nearest(intent, start, end).confidence)
