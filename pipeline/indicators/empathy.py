"""Did the handler show empathy, understanding and support when the caller needed it?

Required only when the caller sounds distressed or mentions a vulnerability, and it must respond
to that cue: empathy said before the caller disclosed anything is not the response to it. A
caller's own "I'm sorry" is never the handler's empathy.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.indicators.vulnerability import mentions
from callqa.pipeline.intents import IntentHit
from callqa.pipeline.rules import RulePack

CUE_TOLERANCE_S = 1.0  # the handler may start responding as the caller's sentence ends


def cues(ctx: CallContext, rules: RulePack) -> list[IntentHit]:
    """Every distress or vulnerability cue of the caller, earliest first."""
    found = ctx.intents(rules).hits("distress") + [h for _, h in mentions(ctx, rules)]
    return sorted(found, key=lambda h: h.start_s)


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.attributed:
        return IndicatorResult("not_applicable", "mono recording: the caller's words cannot be told from the handler's")
    found = cues(ctx, rules)
    if not found:
        near = ctx.intents(rules).nearest("distress")
        return IndicatorResult("not_applicable", "the caller showed no distress or vulnerability",
                               confidence=near.confidence)
    cue = found[0]
    evidence = [Evidence.of_hit(cue)]
    after = cue.start_s - CUE_TOLERANCE_S
    shown = next(iter(ctx.intents(rules).hits("empathy", after)), None)
    if shown:
        evidence.append(Evidence.of_hit(shown))
        return IndicatorResult("pass", f"caller distressed at {cue.start_s:.1f} s; handler showed empathy at "
                                       f"{shown.start_s:.1f} s", evidence,
                               confidence=min(cue.confidence, shown.confidence))
    earlier = ctx.intents(rules).hits("empathy", None, after)
    evidence += [Evidence.of_hit(h, "(before the cue, so not a response to it)") for h in earlier]
    confidence = min(cue.confidence, ctx.intents(rules).nearest("empathy", after).confidence)
    return IndicatorResult("fail", f"caller distressed at {cue.start_s:.1f} s ({cue.text!r}); no empathy from the "
                                   f"handler after it", evidence, confidence=confidence)
