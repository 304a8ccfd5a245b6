"""Did the handler make sure the caller understood the outcome, and recap, before the end?

The recap (a summary or read-back) and the check of understanding are found separately and
reported separately in the metrics; the rule pack's `recap.require` decides what passes. The
default, "both", follows the questionnaire's wording: made sure the caller understood *and*
recapped.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.rules import RulePack

NEEDS = {"both": ("recap", "understanding_check"), "recap": ("recap",), "check": ("understanding_check",),
         "either": ()}
LABELS = {"recap": "recap", "understanding_check": "check of understanding"}


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg = rules.section("recap")
    span = ctx.speech_span()
    if span is None or not ctx.handler_tokens:
        return IndicatorResult("not_applicable", "the handler never spoke")
    start, end = span
    closing = max(start, min(end - cfg["closing_share"] * (end - start), end - cfg["closing_min_s"]))
    finder = ctx.intents(rules)
    found = {intent: next(iter(finder.hits(intent, closing)), None) for intent in ("recap", "understanding_check")}
    metrics = {"recap": found["recap"] is not None, "understanding_check": found["understanding_check"] is not None,
               "closing_from_s": round(closing, 2), "require": cfg["require"]}
    evidence = [Evidence.of_hit(h)
                for intent, h in found.items() if h]
    needed = NEEDS[cfg["require"]] or tuple(found)
    if cfg["require"] == "either":
        passed = any(found.values())
    else:
        passed = all(found[i] for i in needed)
    sure = [h.confidence for h in found.values() if h]
    if passed:
        said = " and ".join(LABELS[i] for i, h in found.items() if h)
        return IndicatorResult("pass", f"{said} near the end, from {min(h.start_s for h in found.values() if h):.1f} s",
                               evidence, metrics, confidence=min(sure) if sure else 0.9)
    missing = [i for i in needed if not found[i]]
    confidence = min(finder.nearest(i, closing).confidence for i in missing)
    when = "in the call" if closing <= start + 0.01 else f"in the last part of the call (from {closing:.0f} s)"
    return IndicatorResult("fail", f"no {' and no '.join(LABELS[i] for i in missing)} {when}", evidence, metrics,
                           confidence=confidence)
