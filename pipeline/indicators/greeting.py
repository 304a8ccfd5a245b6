"""Was the correct greeting given? The handler's opening words name the force and offer help.

Both are intents (`force_name`, `help_offer`): a 999 opening that names the force and asks
where help is needed passes as well as "Staffordshire Police, how can I help?". An offer asks
the caller something or invites them to speak: found by meaning alone, it must be a question
("what's happening there", "tell me where you are"), since an opening that only names the force
and the room ("Hello, Staffordshire Police, you're through to the control room.") is close in
meaning to every greeting but offers nothing.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult, asks
from callqa.pipeline.intents import IntentHit
from callqa.pipeline.rules import RulePack


def offers(hits: list[IntentHit], rules: RulePack) -> list[IntentHit]:
    """Offers of help: a phrase of the pack's `help_offers`, or a question like its exemplars."""
    return [h for h in hits if h.method != "exemplar" or asks(h.unit.tokens, rules)]


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg = rules.section("greeting")
    segments = ctx.handler_segments()
    if not segments:
        return IndicatorResult("fail", "the handler never spoke", confidence=0.9)
    first = segments[0]
    end = first.start_s + cfg["span_s"]
    opening_words = " ".join(s.text for s in segments if s.start_s < end)
    opening = Evidence(first.speaker, first.start_s, first.end_s, opening_words, "greeting.window_s")
    if first.start_s > cfg["window_s"]:
        return IndicatorResult(
            "fail", f"the handler's first words came {first.start_s:.1f} s into the call "
                    f"(allowed {cfg['window_s']:.0f} s)", [opening], confidence=0.95)
    finder = ctx.intents(rules)
    start = first.start_s - 0.5
    force = next(iter(finder.hits("force_name", start, end)), None)
    offer = next(iter(offers(finder.hits("help_offer", start, end), rules)), None)
    if force and offer:
        return IndicatorResult("pass", f"named the force and offered help at {force.start_s:.1f} s", [
            Evidence.of_hit(force), Evidence.of_hit(offer)],
            confidence=min(force.confidence, offer.confidence))
    missing = [(label, intent) for label, intent, found in (("the force name", "force_name", force),
                                                             ("an offer of help", "help_offer", offer)) if not found]
    opening.rule = "greeting.force_names + greeting.help_offers"
    evidence = [opening] + [Evidence.of_hit(h, "(partial greeting)") for h in (force, offer) if h]
    confidence = min(finder.nearest(intent, start, end).confidence for _, intent in missing)
    return IndicatorResult("fail", f"opening words at {first.start_s:.1f} s lack "
                                   f"{' and '.join(label for label, _ in missing)}", evidence, confidence=confidence)
