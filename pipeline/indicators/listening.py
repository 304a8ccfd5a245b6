"""Was the caller listened to appropriately? Interruptions, talk share, longest monologue.

An interruption is the handler starting to speak while the caller is mid-utterance (the speech
detector's regions joined across breaths, see `utterances`). "Mm",
"yeah", "okay" under the caller's words are active listening, not interruptions.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.matching import normalise, normalised_phrase
from callqa.pipeline.rules import RulePack
from callqa.pipeline.vad import Region, merge_regions


def _overlapping(regions: list[Region], start: float, end: float) -> float:
    return sum(max(0.0, min(r.end_s, end) - max(r.start_s, start)) for r in regions)


# The speech detector cuts one utterance at every breath: pauses up to this long inside the caller's
# speech do not end what they were saying, so a handler who starts in the middle of it interrupts
# even where the detector's latest region began only a moment before.
UTTERANCE_PAUSE_S = 0.5
# The caller must be speaking at the handler's onset (within this much), not pausing between regions.
SPEAKING_AT_S = 0.1


def utterances(regions: list[Region], max_pause_s: float = UTTERANCE_PAUSE_S) -> list[Region]:
    """Speech regions joined across pauses of at most `max_pause_s`: one party's utterances."""
    return merge_regions(regions, max_pause_s)


def handler_turns(handler: list[Region], caller: list[Region], max_gap_s: float = 2.0) -> list[Region]:
    """Handler speech joined across pauses in which the caller said nothing."""
    turns: list[Region] = []
    for region in handler:
        if turns and region.start_s - turns[-1].end_s <= max_gap_s \
                and _overlapping(caller, turns[-1].end_s, region.start_s) == 0:
            turns[-1] = Region(turns[-1].start_s, region.end_s)
        else:
            turns.append(region)
    return turns


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.attributed:
        return IndicatorResult("not_applicable", "mono recording: who talked over whom cannot be told")
    cfg = rules.section("listening")
    handler, caller = ctx.timelines.get("handler", []), ctx.timelines.get("caller", [])
    caller_s = sum(r.duration_s for r in caller)
    handler_s = sum(r.duration_s for r in handler)
    if caller_s == 0 or handler_s == 0:
        return IndicatorResult("not_applicable", "only one party spoke")
    backchannels = {normalised_phrase(b) for b in cfg["backchannels"]}
    words = [w for seg in ctx.handler_segments() for w in seg.words]
    evidence = []
    caller_utterances = utterances(caller)
    for region in handler:
        onset = region.start_s
        if not any(c.start_s - SPEAKING_AT_S <= onset <= c.end_s + SPEAKING_AT_S for c in caller):
            continue  # the caller was between words, not speaking
        talking = [c for c in caller_utterances if c.start_s <= onset - cfg["min_caller_before_s"]
                   and c.end_s >= onset + cfg["min_overlap_s"]]
        if not talking:
            continue
        said = [w for w in words if region.start_s - 0.2 <= w.start_s < region.end_s]
        text = " ".join(w.text.strip() for w in said)
        if not said:
            continue  # no words: a cough or line noise, not a turn
        tokens = " ".join(normalise(text))
        if region.duration_s < cfg["backchannel_max_s"] and (tokens in backchannels or all(
                t in backchannels for t in tokens.split())):
            continue
        caller_words = " ".join(w.text.strip() for seg in ctx.caller_segments() for w in seg.words
                                if talking[0].start_s <= w.start_s <= onset + cfg["min_overlap_s"])
        evidence.append(Evidence("handler", onset, region.end_s, text, "listening: handler started while the "
                                 "caller was speaking", {"caller_was_saying": caller_words[-120:]}))
    turns = handler_turns(handler, caller)
    longest = max(turns, key=lambda r: r.duration_s)
    metrics = {"interruptions": len(evidence), "caller_share": round(caller_s / (caller_s + handler_s), 3),
               "longest_handler_monologue_s": round(longest.duration_s, 1),
               "longest_handler_monologue_at_s": round(longest.start_s, 2)}
    # One interruption either side of the threshold is a closer call than several.
    confidence = 0.75 if abs(len(evidence) - cfg["fail_interruptions"] + 0.5) < 1 else 0.9
    if len(evidence) >= cfg["fail_interruptions"]:
        return IndicatorResult("fail", f"handler talked over the caller {len(evidence)} times, first at "
                                       f"{evidence[0].start_s:.1f} s", evidence, metrics, confidence)
    return IndicatorResult("pass", f"{len(evidence)} interruption(s); caller spoke {metrics['caller_share']:.0%} "
                                   f"of the talk time", evidence, metrics, confidence)
