"""Was the caller told what happens next (attendance, call back, reference number, advice)?

A reference counts only when a number is given ("your reference is four one seven"), so
"do you have the frame number?" is not a next step.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.indicators.references import reference_given
from callqa.pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.handler_tokens:
        return IndicatorResult("fail", "the handler never spoke", confidence=0.9)
    finder = ctx.intents(rules)
    hits = finder.hits("next_steps")
    references = reference_given(ctx.handler_tokens, rules.section("next_steps")["reference_words"])
    evidence = [Evidence.of_hit(h) for h in hits]
    evidence += [Evidence("handler" if ctx.attributed else "unknown", r.start_s, r.end_s, r.text,
                          "next_steps.reference_words: a reference number given",
                          {"method": "pattern", "confidence": r.confidence}) for r in references
                 if not any(h.start_s <= r.start_s <= h.end_s for h in hits)]
    evidence.sort(key=lambda e: e.start_s)
    if not evidence:
        return IndicatorResult("fail", "no next steps were stated (no attendance, call back, reference or advice)",
                               confidence=finder.nearest("next_steps").confidence)
    best = max([h.confidence for h in hits] + [r.confidence for r in references])
    return IndicatorResult("pass", f"next steps stated at {evidence[0].start_s:.1f} s", evidence, confidence=best)
