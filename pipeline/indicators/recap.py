"""Did the handler make sure the caller understood the outcome, and recap, before the end?"""

from __future__ import annotations

from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.matching import PhraseIndex, first_match
from pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg, matching = rules.section("recap"), rules.section("matching")
    span = ctx.speech_span()
    if span is None or not ctx.handler_tokens:
        return IndicatorResult("not_applicable", "the handler never spoke")
    start, end = span
    closing = max(start, min(end - cfg["closing_share"] * (end - start), end - cfg["closing_min_s"]))
    index = PhraseIndex([t for t in ctx.handler_tokens if t.start_s >= closing])
    recap = first_match(index, cfg["recaps"], matching)
    check = first_match(index, cfg["checks"], matching)
    evidence = [Evidence.of_match(m, f"recap.{kind}: {m.phrase!r}") for kind, m in (("recaps", recap),
                                                                                    ("checks", check)) if m]
    if recap and check:
        return IndicatorResult("pass", f"recapped at {recap.start_s:.1f} s and checked understanding at "
                                       f"{check.start_s:.1f} s", evidence)
    missing = " and ".join(x for x, m in (("recap", recap), ("check of understanding", check)) if not m)
    return IndicatorResult("fail", f"closing stretch (from {closing:.1f} s) lacks a {missing}", evidence)
