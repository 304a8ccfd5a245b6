"""Was the caller told what happens next (attendance, call back, reference number, advice)?"""

from __future__ import annotations

from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.matching import find_any
from pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    tokens = ctx.handler_tokens
    if not tokens:
        return IndicatorResult("fail", "the handler never spoke")
    matches = find_any(ctx.handler_index, rules.section("next_steps")["phrases"], rules.section("matching"))
    kept = []
    for match in sorted(matches, key=lambda m: (m.start_s, -m.score)):
        if not any(k.start_s <= match.start_s <= k.end_s for k in kept):  # one piece of evidence per moment
            kept.append(match)
    if not kept:
        return IndicatorResult("fail", "no next steps were stated (no attendance, call back, reference or advice)")
    return IndicatorResult("pass", f"next steps stated at {kept[0].start_s:.1f} s",
                           [Evidence.of_match(m, f"next_steps.phrases: {m.phrase!r}") for m in kept])
