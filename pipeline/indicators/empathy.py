"""Did the handler show empathy, understanding and support when the caller needed it?

Required only when the caller sounds distressed or mentions a vulnerability; a caller's own
"I'm sorry" is never the handler's empathy.
"""

from __future__ import annotations

from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.indicators.vulnerability import mentions
from pipeline.matching import find_any, first_match
from pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.attributed:
        return IndicatorResult("not_applicable", "mono recording: the caller's words cannot be told from the handler's")
    cfg, matching = rules.section("empathy"), rules.section("matching")
    cues = [(m, f"empathy.distress: {m.phrase!r}") for m in find_any(ctx.caller_index, cfg["distress"], matching)]
    cues += [(m, f"vulnerability.{kind}: {m.phrase!r}") for kind, m in mentions(ctx, rules)]
    if not cues:
        return IndicatorResult("not_applicable", "the caller showed no distress or vulnerability")
    cue, rule = min(cues, key=lambda c: c[0].start_s)
    evidence = [Evidence.of_match(cue, rule)]
    shown = first_match(ctx.handler_index, cfg["phrases"], matching)
    if shown:
        evidence.append(Evidence.of_match(shown, f"empathy.phrases: {shown.phrase!r}"))
        return IndicatorResult("pass", f"caller distressed at {cue.start_s:.1f} s; handler showed empathy at "
                                       f"{shown.start_s:.1f} s", evidence)
    return IndicatorResult("fail", f"caller distressed at {cue.start_s:.1f} s ({cue.text!r}); no empathy from the "
                                   f"handler", evidence)
