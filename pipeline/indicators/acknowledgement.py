"""Was the caller positively acknowledged throughout? Judged part by part, not as one count.

A handler who says "okay" ten times in the first minute and nothing while the caller explains
the rest has not acknowledged throughout. An empathy statement counts as an acknowledgement.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.attributed:
        return IndicatorResult("not_applicable",
                               "mono recording: acknowledgements cannot be told from the caller's words")
    cfg = rules.section("acknowledgement")
    finder = ctx.intents(rules)
    span = ctx.speech_span()
    if span is None:
        return IndicatorResult("not_applicable", "no speech")
    start, end = span
    size = (end - start) / cfg["parts"]
    caller = ctx.timelines.get("caller", [])
    evidence, missing, judged, sure = [], [], 0, []
    for k in range(cfg["parts"]):
        a, b = start + k * size, start + (k + 1) * size
        caller_s = sum(max(0.0, min(r.end_s, b) - max(r.start_s, a)) for r in caller)
        if caller_s < cfg["min_caller_s"]:
            continue
        judged += 1
        # Empathy acknowledges too: "you've done the right thing calling us" answers what the
        # caller said as surely as "okay" does.
        hits = finder.hits("acknowledgement", a, b) + finder.hits("empathy", a, b)
        if hits:
            found = max(hits, key=lambda h: h.confidence)
            evidence.append(Evidence.of_hit(found, f"(part {k + 1})"))
            sure.append(found.confidence)
        else:
            sure.append(finder.nearest("acknowledgement", a, b).confidence)
            said = " ".join(t.raw for t in ctx.caller_tokens if a <= t.start_s < b)
            missing.append(Evidence("caller", a, b, said[:200], f"acknowledgement: none in part {k + 1} of "
                                    f"{cfg['parts']} while the caller spoke {caller_s:.0f} s"))
    if not judged:
        return IndicatorResult("not_applicable", "the caller barely spoke")
    if missing:
        return IndicatorResult("fail", f"no acknowledgement in {len(missing)} of {judged} part(s) where the caller "
                                       f"spoke, first from {missing[0].start_s:.1f} s", missing + evidence,
                               confidence=max(sure))
    return IndicatorResult("pass", f"acknowledged in all {judged} part(s) where the caller spoke", evidence,
                           confidence=min(sure))
