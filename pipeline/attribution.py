"""Who said what on a mono recording: diarization turns -> handler / caller, with a confidence.

The handler is the speaker whose words carry the greeting (force name or offer of help); without
a greeting, the one who speaks first after the call connects (a rule-pack setting flips that for
recorders that start with the caller). Words in turns the clustering is unsure of stay
`unknown`, and a call whose attribution is weak keeps every word `unknown`, so speaker-dependent
indicators say not_applicable instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.matching import PhraseIndex, find_any, tokens_of
from pipeline.rules import RulePack
from pipeline.transcript import Segment, Word, segment_from_words, split_words
from pipeline.vad import Region, merge_regions


class TurnLike(Protocol):
    start_s: float
    end_s: float
    speaker: int
    confidence: float


@dataclass
class Attribution:
    method: str                 # "channels" (stereo) | "diarization" (mono) | "none"
    confidence: float           # 0-1; below the rule pack's min_confidence nothing is attributed
    handler_cluster: int | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "confidence": round(self.confidence, 3),
                "handler_cluster": self.handler_cluster, "reason": self.reason}


def _turn_at(turns: list[TurnLike], t: float, slack_s: float = 0.3) -> TurnLike | None:
    inside = [turn for turn in turns if turn.start_s - slack_s <= t <= turn.end_s + slack_s]
    return min(inside, key=lambda turn: 0 if turn.start_s <= t <= turn.end_s else 1) if inside else None


def identify_handler(words: list[Word], turns: list[TurnLike], rules: RulePack) -> tuple[int, float, str]:
    """(handler cluster, evidence strength 0-1, why)."""
    cfg = rules.section("greeting")
    opening = [w for w in words if w.start_s <= cfg["window_s"] + cfg["span_s"]]
    index = PhraseIndex(tokens_of([segment_from_words("unknown", opening)]) if opening else [])
    matches = find_any(index, cfg["force_names"] + cfg["help_offers"], rules.section("matching"))
    votes = {0: 0, 1: 0}
    for match in matches:
        for token in match.tokens:
            turn = _turn_at(turns, (token.start_s + token.end_s) / 2)
            if turn is not None:
                votes[turn.speaker] += 1
    if sum(votes.values()):
        handler = max(votes, key=votes.get)
        return handler, votes[handler] / sum(votes.values()), "the greeting was said by this speaker"
    first = min(turns, key=lambda turn: turn.start_s).speaker
    if rules.section("attribution")["first_speaker"] == "handler":
        return first, 0.7, "no greeting heard: the first speaker is taken as the handler"
    return 1 - first, 0.7, "no greeting heard: the first speaker is taken as the caller (rule pack)"


def attribute(segments: list[Segment], regions: list[Region], turns: list[TurnLike],
              rules: RulePack) -> tuple[list[Segment], dict[str, list[Region]], Attribution]:
    """Relabel a mono transcript's words handler/caller/unknown and build per-speaker timelines."""
    cfg = rules.section("attribution")
    words = [w for seg in segments for w in seg.words]
    speakers = {turn.speaker for turn in turns}
    if len(speakers) < 2 or not words:
        return segments, {"unknown": regions}, Attribution("diarization", 0.0, None, "one voice only")
    handler, strength, why = identify_handler(words, turns, rules)
    # Confidence = share of speech in turns the clustering is sure of x how sure we are who the
    # handler is (the greeting's votes, or 0.7 for "first speaker").
    total = sum(t.end_s - t.start_s for t in turns) or 1.0
    sure = sum(t.end_s - t.start_s for t in turns if t.confidence >= cfg["min_turn_confidence"]) / total
    confidence = sure * strength
    attribution = Attribution("diarization", confidence, handler, why)
    if confidence < cfg["min_confidence"]:
        attribution.reason += f"; confidence {confidence:.2f} below {cfg['min_confidence']}: left unattributed"
        return segments, {"unknown": regions}, attribution
    label = {handler: "handler", 1 - handler: "caller"}
    labelled: list[tuple[str, Word]] = []
    for word in words:
        turn = _turn_at(turns, (word.start_s + word.end_s) / 2)
        speaker = label[turn.speaker] if turn is not None and turn.confidence >= cfg["min_turn_confidence"] \
            else "unknown"
        labelled.append((speaker, word))
    out: list[Segment] = []
    run: list[tuple[str, Word]] = []
    for item in labelled + [("", Word("", 0, 0, 0))]:  # sentinel flushes the last run
        if run and item[0] != run[-1][0]:
            for group in split_words([w for _, w in run], 1.5):
                out.append(segment_from_words(run[0][0], group))
            run = []
        run.append(item)
    timelines: dict[str, list[Region]] = {"handler": [], "caller": []}
    for turn in turns:
        name = label[turn.speaker] if turn.confidence >= cfg["min_turn_confidence"] else "unknown"
        timelines.setdefault(name, []).append(Region(turn.start_s, turn.end_s))
    return out, {k: merge_regions(v, 0.0) for k, v in timelines.items()}, attribution
