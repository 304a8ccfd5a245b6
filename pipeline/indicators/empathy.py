"""Did the handler show empathy, understanding and support when the caller needed it?

Required only when the caller sounds distressed or mentions a vulnerability, and it must respond
to that cue: empathy said before the caller disclosed anything is not the response to it. A
caller's own "I'm sorry" is never the handler's empathy.

A distress phrase is not a cue where the caller's own words just before it deny it ("nobody's
hurt", "we weren't hurt", "I'm not worried"): in a stretch too short for the intent model to
judge by meaning the phrase is all there is, and the model is weak on negation, so the denial is
read here ("do not hurt me" pleads and stays a cue).
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.indicators.vulnerability import mentions
from callqa.pipeline.intents import IntentHit
from callqa.pipeline.matching import Token
from callqa.pipeline.rules import RulePack

CUE_TOLERANCE_S = 1.0  # the handler may start responding as the caller's sentence ends

# "Nobody's hurt", "no one was hurt", "nothing's wrong": a subject that denies the state.
NOBODY = frozenset("nobody nobody's nobodys noone noone's none nothing nothing's neither".split())
# "weren't hurt", "isn't upset": a negated form of "be".
NEGATED_BE = frozenset("isn't isnt aren't arent wasn't wasnt weren't werent".split())
# "am not scared", "has not been hurt": a form of "be" or "have" before "not" ("do not hurt me" pleads).
BE = frozenset("am is are was were be been has have had i'm he's she's we're they're it's".split())
# Words that may stand between the denial and the state: "nobody got hurt", "no one has been hurt".
LINKS = frozenset("is was were are got been has have had being getting feeling feel felt".split())


def denied(before: list[Token]) -> bool:
    """Whether the caller's words just before a distress phrase (nearest last) deny it."""
    norms = [t.norm for t in before]
    while norms and norms[-1] in LINKS:
        norms.pop()
    if not norms:
        return False
    last = norms[-1]
    if last in NOBODY or last in NEGATED_BE or (last in ("one", "one's") and norms[-2:-1] == ["no"]):
        return True
    return last in ("not", "never") and len(norms) > 1 and norms[-2] in BE


def _words_before(tokens: list[Token], hit: IntentHit, n: int = 5) -> list[Token]:
    """Up to `n` of the caller's words before the hit in the same sentence: cut at the recogniser's
    . ? !, not at pauses or segment ends, which cut units but not what the caller was saying."""
    first = hit.span()[0]
    before = [t for t in tokens if t.end_s <= first.start_s + 1e-6 and t is not first][-n:]
    cut = max((i + 1 for i, t in enumerate(before) if t.raw.rstrip().endswith((".", "?", "!"))), default=0)
    return before[cut:]


def cues(ctx: CallContext, rules: RulePack) -> list[IntentHit]:
    """Every distress or vulnerability cue of the caller, earliest first."""
    distress = [h for h in ctx.intents(rules).hits("distress")
                if h.method == "exemplar" or not denied(_words_before(ctx.caller_tokens, h))]
    found = distress + [h for _, h in mentions(ctx, rules)]
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
