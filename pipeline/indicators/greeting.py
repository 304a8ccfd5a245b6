"""Was the correct greeting given? The handler's opening words name the force and offer help."""

from __future__ import annotations

from pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from pipeline.matching import first_match
from pipeline.rules import RulePack


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg, matching = rules.section("greeting"), rules.section("matching")
    segments = ctx.handler_segments()
    if not segments:
        return IndicatorResult("fail", "the handler never spoke")
    first = segments[0]
    opening_words = " ".join(s.text for s in segments if s.start_s < first.start_s + cfg["span_s"])
    opening = Evidence(first.speaker, first.start_s, first.end_s, opening_words, "greeting.window_s")
    if first.start_s > cfg["window_s"]:
        return IndicatorResult(
            "fail", f"the handler's first words came {first.start_s:.1f} s into the call "
                    f"(allowed {cfg['window_s']:.0f} s)", [opening])
    tokens = [t for t in ctx.handler_tokens if t.start_s < first.start_s + cfg["span_s"]]
    force = first_match(tokens, cfg["force_names"], matching)
    offer = first_match(tokens, cfg["help_offers"], matching)
    if force and offer:
        return IndicatorResult("pass", f"named the force and offered help at {force.start_s:.1f} s", [
            Evidence.of_match(force, f"greeting.force_names: {force.phrase!r}"),
            Evidence.of_match(offer, f"greeting.help_offers: {offer.phrase!r}")])
    missing = " and ".join(label for label, found in (("the force name", force), ("an offer of help", offer))
                           if not found)
    opening.rule = "greeting.force_names + greeting.help_offers"
    evidence = [opening] + [Evidence.of_match(m, "greeting: partial") for m in (force, offer) if m]
    return IndicatorResult("fail", f"opening words at {first.start_s:.1f} s lack {missing}", evidence)
