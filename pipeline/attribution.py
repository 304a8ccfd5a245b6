"""Who said what on a mono recording: diarization turns -> handler / caller, with a confidence.

The handler is, in order of evidence: the cluster whose voice matches the handler's enrolled
voiceprint (from their stereo calls, `pipeline/voiceprints.py`) by a clear margin; else the
speaker whose words carry the greeting (force name or offer of help); else the one who speaks
first after the call connects (a rule-pack setting flips that for recorders that start with the
caller). Words in overlapped speech stay `unknown`. Words in turns the clustering is unsure of stay
`unknown`, and a call whose attribution is weak keeps every word `unknown`, so speaker-dependent
indicators say not_applicable instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from callqa.pipeline.matching import PhraseIndex, find_any, tokens_of
from callqa.pipeline.rules import RulePack
from callqa.pipeline.transcript import Segment, Word, segment_from_words, split_words
from callqa.pipeline.vad import Region, merge_regions


class TurnLike(Protocol):
    start_s: float
    end_s: float
    speaker: int
    confidence: float
    overlap: bool


@dataclass
class Attribution:
    method: str                 # "channels" (stereo) | "diarization" (mono) | "none"
    confidence: float           # 0-1; below the rule pack's min_confidence nothing is attributed
    handler_cluster: int | None = None
    reason: str = ""
    decided_by: str = ""        # "voiceprint", "greeting", "first_speaker" (mono only)
    voiceprint_similarity: tuple[float, float] | None = None  # handler cluster's, the other's

    def to_dict(self) -> dict[str, Any]:
        out = {"method": self.method, "confidence": round(self.confidence, 3),
               "handler_cluster": self.handler_cluster, "reason": self.reason}
        if self.decided_by:
            out["decided_by"] = self.decided_by
        if self.voiceprint_similarity is not None:
            out["voiceprint_similarity"] = [round(v, 3) for v in self.voiceprint_similarity]
        return out


def _turn_at(turns: list[TurnLike], t: float, slack_s: float = 0.3) -> TurnLike | None:
    inside = [turn for turn in turns if turn.start_s - slack_s <= t <= turn.end_s + slack_s]
    return min(inside, key=lambda turn: 0 if turn.start_s <= t <= turn.end_s else 1) if inside else None


def by_voiceprint(centroids: np.ndarray | None, voiceprint: np.ndarray | None,
                 rules: RulePack) -> tuple[int, float, tuple[float, float]] | None:
    """(handler cluster, strength, similarities) when the enrolled voice clearly matches one cluster."""
    if centroids is None or voiceprint is None or len(centroids) != 2:
        return None
    cfg = rules.section("attribution")
    sims = centroids @ (voiceprint / (np.linalg.norm(voiceprint) + 1e-12))
    handler = int(np.argmax(sims))
    gap = float(sims[handler] - sims[1 - handler])
    if sims[handler] < cfg["voiceprint_min_similarity"] or gap < cfg["voiceprint_margin"]:
        return None
    strength = float(min(1.0, 0.7 + 0.3 * gap / (2 * cfg["voiceprint_margin"])))
    return handler, strength, (float(sims[handler]), float(sims[1 - handler]))


def identify_handler(words: list[Word], turns: list[TurnLike], rules: RulePack) -> tuple[int, float, str, str]:
    """(handler cluster, evidence strength 0-1, why, which evidence) from the words and turns."""
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
        return handler, votes[handler] / sum(votes.values()), "the greeting was said by this speaker", "greeting"
    first = min(turns, key=lambda turn: turn.start_s).speaker
    if rules.section("attribution")["first_speaker"] == "handler":
        return first, 0.7, "no greeting heard: the first speaker is taken as the handler", "first_speaker"
    return 1 - first, 0.7, "no greeting heard: the first speaker is taken as the caller (rule pack)", "first_speaker"


def attribute(segments: list[Segment], regions: list[Region], turns: list[TurnLike], rules: RulePack,
              centroids: np.ndarray | None = None,
              voiceprint: np.ndarray | None = None) -> tuple[list[Segment], dict[str, list[Region]], Attribution]:
    """Relabel a mono transcript's words handler/caller/unknown and build per-speaker timelines.

    `centroids` are the clusters' voices from diarization and `voiceprint` the call's handler's
    enrolled voice, when the store has one."""
    cfg = rules.section("attribution")
    words = [w for seg in segments for w in seg.words]
    speakers = {turn.speaker for turn in turns}
    if len(speakers) < 2 or not words:
        return segments, {"unknown": regions}, Attribution("diarization", 0.0, None, "one voice only")
    handler, strength, why, decided_by = identify_handler(words, turns, rules)
    voice = by_voiceprint(centroids, voiceprint, rules)
    similarity = None
    if voice is not None:
        why = "the handler's enrolled voiceprint matched this speaker"
        if decided_by == "greeting":
            why += "; the greeting " + ("agrees" if voice[0] == handler else "was heard from the other speaker")
        handler, strength, similarity, decided_by = voice[0], voice[1], voice[2], "voiceprint"
    # Confidence = share of speech in turns the clustering is sure of x how sure we are who the
    # handler is (the greeting's votes, or 0.7 for "first speaker").
    total = sum(t.end_s - t.start_s for t in turns) or 1.0
    sure = sum(t.end_s - t.start_s for t in turns if t.confidence >= cfg["min_turn_confidence"]) / total
    confidence = sure * strength
    attribution = Attribution("diarization", confidence, handler, why, decided_by, similarity)
    if confidence < cfg["min_confidence"]:
        attribution.reason += f"; confidence {confidence:.2f} below {cfg['min_confidence']}: left unattributed"
        return segments, {"unknown": regions}, attribution
    label = {handler: "handler", 1 - handler: "caller"}
    labelled: list[tuple[str, Word]] = []
    for word in words:
        turn = _turn_at(turns, (word.start_s + word.end_s) / 2)
        speaker = label[turn.speaker] if turn is not None and not turn.overlap \
            and turn.confidence >= cfg["min_turn_confidence"] else "unknown"
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
        name = label[turn.speaker] if not turn.overlap and turn.confidence >= cfg["min_turn_confidence"] \
            else "unknown"
        timelines.setdefault(name, []).append(Region(turn.start_s, turn.end_s))
    return out, {k: merge_regions(v, 0.0) for k, v in timelines.items()}, attribution
