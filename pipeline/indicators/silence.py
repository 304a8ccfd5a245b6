"""Silences the caller sat through: who owned each, whether it was explained, who broke it.

A silence is `caller`-owned only while the caller owes an answer to the handler's question (see
`turns.silence_owner`); otherwise the handler owns it. Only a handler-owned, unexplained
silence of `fail_s` or more fails the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult, asks
from callqa.pipeline.indicators.turns import silence_owner
from callqa.pipeline.intents import IntentHit
from callqa.pipeline.matching import Token, normalised_phrase
from callqa.pipeline.rules import RulePack
from callqa.pipeline.transcript import Segment
from callqa.pipeline.vad import find_silences, speaker_at


@dataclass
class Silence:
    start_s: float
    end_s: float
    explained: bool
    explanation: IntentHit | None
    owner: str
    broken_by: str | None
    last_handler_words: str
    owner_why: str = ""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict:
        explanation = None
        if self.explanation:
            explanation = {"text": self.explanation.text, "start_s": round(self.explanation.start_s, 2),
                           "rule": f"silence.explanations: {self.explanation.matched!r}",
                           **self.explanation.evidence_extra()}
        return {"start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "duration_s": round(self.duration_s, 2), "explained": self.explained,
                "explanation": explanation, "owner": self.owner, "owner_why": self.owner_why,
                "broken_by": self.broken_by}


def _last_before(segments: list[Segment], t: float, tolerance_s: float = 0.5) -> Segment | None:
    before = [s for s in segments if s.start_s < t + tolerance_s]
    return max(before, key=lambda s: s.end_s) if before else None


def describe_silences(ctx: CallContext, rules: RulePack) -> list[Silence]:
    cfg = rules.section("silence")
    finder = ctx.intents(rules)
    handler_segments = ctx.handler_segments()
    handler_tokens = ctx.handler_tokens
    holding_phrases = [tuple(normalised_phrase(phrase).split()) for phrase in cfg["caller_holding"]]
    holding = {w for phrase in holding_phrases for w in phrase}
    asides = {w for phrase in cfg["question_asides"] for w in normalised_phrase(phrase).split()}
    # Only phrases of two words or more put the handler on hold: a reply's first "okay" or "right" does not.
    hold_phrases = tuple(p for p in holding_phrases if len(p) > 1)
    asked: dict[tuple[int, int], bool] = {}

    def handler_asks(sentence: list[Token]) -> bool:
        """Each gap looks back over the same handler sentences: each is judged once per call (a
        sentence is a run of the call's handler tokens, known by its first and last)."""
        key = (id(sentence[0]), id(sentence[-1]))
        if key not in asked:
            asked[key] = asks(sentence, rules)
        return asked[key]

    out: list[Silence] = []
    for gap in find_silences(ctx.timelines, cfg["min_silence_s"]):
        # An explanation must come after the caller last spoke: one given before the caller
        # talked again was about an earlier pause.
        caller_ends = [r.end_s for r in ctx.timelines.get("caller", []) if r.end_s <= gap.start_s + 0.05]
        since = max([gap.start_s - cfg["lookback_s"], *[e - 0.3 for e in caller_ends]])
        # An explanation precedes its silence: it starts before the gap (or within `lookahead_s`
        # of it, where the speech detector cut the last word short).
        explanation = next(iter(finder.hits("silence_explanation", since - 0.5, gap.start_s + cfg["lookahead_s"])),
                           None)
        if explanation is not None and explanation.end_s < since:
            explanation = None
        broken_by = speaker_at(ctx.timelines, gap.end_s) if ctx.attributed else None
        if broken_by not in ("handler", "caller"):  # speech whose speaker the diarization was unsure of
            broken_by = None
        last_handler = _last_before(handler_segments, gap.start_s)
        if ctx.attributed:
            owned = silence_owner(gap.start_s, ctx.timelines, handler_tokens, ctx.caller_tokens, handler_asks, holding,
                                  asides, hold_phrases)
            owner, why = owned.owner, owned.why
        else:
            owner, why = "handler", "mono recording without speaker attribution: taken as the handler's"
        out.append(Silence(gap.start_s, gap.end_s, explanation is not None, explanation, owner, broken_by,
                           last_handler.text if last_handler else "", why))
    return out


def _confidence(ctx: CallContext, rules: RulePack, s: Silence, fail_s: float) -> float:
    """How sure one long silence's verdict is: its length over the threshold, the explanation's
    match, or how near an explanation came."""
    length = min(1.0, 0.6 + (s.duration_s - fail_s) / 10)
    if s.explained:
        return s.explanation.confidence
    if s.owner == "caller":
        return 0.8
    lookback = rules.section("silence")["lookback_s"]
    near = ctx.intents(rules).nearest("silence_explanation", s.start_s - lookback, s.start_s + 1.0)
    return min(length, near.confidence)


def evaluate(ctx: CallContext, rules: RulePack, silences: list[Silence]) -> IndicatorResult:
    fail_s = rules.section("silence")["fail_s"]
    long = [s for s in silences if s.duration_s >= fail_s]
    bad = [s for s in long if s.owner == "handler" and not s.explained]
    evidence = []
    for s in sorted(long, key=lambda s: s not in bad):  # failing silences first
        if s.explained:
            text, rule = s.explanation.text, f"silence.explanations: like {s.explanation.matched!r}"
        elif s.owner == "caller":
            text, rule = s.last_handler_words, f"silence: caller-owned ({s.owner_why})"
        else:
            text, rule = s.last_handler_words, f"silence.fail_s: unexplained, {s.duration_s:.1f} s >= {fail_s:.0f} s"
        speaker = "handler" if ctx.attributed else "unknown"
        evidence.append(Evidence(speaker, s.start_s, s.end_s, text, rule,
                                 {"owner": s.owner, "owner_why": s.owner_why, "explained": s.explained,
                                  "broken_by": s.broken_by, "duration_s": round(s.duration_s, 2)}))
    if bad:
        worst = max(bad, key=lambda s: s.duration_s)
        return IndicatorResult("fail", f"{len(bad)} unexplained handler silence(s); longest {worst.duration_s:.1f} s "
                                       f"at {worst.start_s:.1f} s", evidence,
                               confidence=max(_confidence(ctx, rules, s, fail_s) for s in bad))
    if not long:
        return IndicatorResult("pass", f"no silence of {fail_s:.0f} s or more", confidence=0.95)
    return IndicatorResult("pass", f"{len(long)} silence(s) of {fail_s:.0f} s or more, all explained or caller-owned",
                           evidence, confidence=min(_confidence(ctx, rules, s, fail_s) for s in long))
