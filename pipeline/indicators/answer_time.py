"""Was the call answered in time? From the recorder's metadata, not the audio."""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.rules import RulePack


def target_s(call_type: str | None, rules: RulePack) -> float | None:
    cfg = rules.section("answer_time")
    return {"999": cfg["target_999_s"], "101": cfg["target_101_s"]}.get(call_type or "")


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    target = target_s(ctx.call_type, rules)
    if ctx.answer_delay_s is None or target is None:
        return IndicatorResult("not_applicable", "no call type or answer time in the call's metadata")
    key = f"answer_time.target_{ctx.call_type}_s"
    evidence = [Evidence(None, 0.0, 0.0, f"{ctx.call_type} call answered after {ctx.answer_delay_s:.1f} s", key,
                         {"answer_delay_s": ctx.answer_delay_s, "target_s": target})]
    if ctx.answer_delay_s <= target:
        return IndicatorResult("pass", f"answered in {ctx.answer_delay_s:.1f} s (target {target:.0f} s)", evidence)
    return IndicatorResult("fail", f"answered in {ctx.answer_delay_s:.1f} s, over the {target:.0f} s target for "
                                   f"{ctx.call_type} calls", evidence)
