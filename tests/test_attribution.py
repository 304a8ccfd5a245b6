"""Handler identification and word attribution on mono calls, from diarization turns."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from callqa.pipeline.attribution import attribute, by_voiceprint
from callqa.pipeline.rules import load_rule_pack
from callqa.pipeline.vad import Region
from tests.helpers import turn

RULES = load_rule_pack()


@dataclass(frozen=True)
class T:
    start_s: float
    end_s: float
    speaker: int
    confidence: float = 0.9
    overlap: bool = False


def mono(*turns_: tuple[float, str]) -> list:
    return [turn("unknown", start, text) for start, text in turns_]


def test_greeting_names_the_handler_even_when_the_caller_speaks_first():
    segments = mono((0.0, "Hello hello"), (2.0, "Staffordshire Police how can I help"), (6.0, "My bike is gone"))
    turns = [T(0.0, 1.0, 0), T(2.0, 4.5, 1), T(6.0, 7.5, 0)]
    relabelled, timelines, attribution = attribute(segments, [Region(0, 7.5)], turns, RULES)
    assert attribution.handler_cluster == 1 and attribution.confidence > 0.5
    assert "greeting" in attribution.reason
    assert [(s.speaker, s.text) for s in relabelled] == [
        ("caller", "Hello hello"), ("handler", "Staffordshire Police how can I help"), ("caller", "My bike is gone")]
    assert timelines["handler"] == [Region(2.0, 4.5)] and timelines["caller"] == [Region(0.0, 1.0), Region(6.0, 7.5)]


def test_without_greeting_the_first_speaker_is_the_handler_unless_the_pack_says_otherwise():
    segments = mono((0.0, "Yeah go on"), (2.0, "Someone stole my car"))
    turns = [T(0.0, 1.1, 0), T(2.0, 3.5, 1)]
    _, _, attribution = attribute(segments, [Region(0, 3.5)], turns, RULES)
    assert attribution.handler_cluster == 0 and "first speaker" in attribution.reason
    data = {**RULES.data, "attribution": {**RULES.data["attribution"], "first_speaker": "caller"}}
    _, _, flipped = attribute(segments, [Region(0, 3.5)], turns, replace(RULES, data=data))
    assert flipped.handler_cluster == 1


def test_weak_attribution_keeps_every_word_unknown():
    segments = mono((0.0, "Staffordshire Police how can I help"), (3.0, "My bike is gone"))
    turns = [T(0.0, 2.5, 0, 0.2), T(3.0, 4.5, 1, 0.2)]
    relabelled, timelines, attribution = attribute(segments, [Region(0, 4.5)], turns, RULES)
    assert attribution.confidence < 0.5 and "unattributed" in attribution.reason
    assert {s.speaker for s in relabelled} == {"unknown"} and list(timelines) == ["unknown"]


def test_unsure_turns_keep_their_words_unknown_and_one_voice_is_not_attributed():
    segments = mono((0.0, "Staffordshire Police how can I help"), (3.0, "My bike is gone"), (6.0, "mm"))
    turns = [T(0.0, 2.5, 0), T(3.0, 4.5, 1), T(6.0, 6.4, 1, 0.1)]
    relabelled, _, _ = attribute(segments, [Region(0, 6.4)], turns, RULES)
    assert [s.speaker for s in relabelled] == ["handler", "caller", "unknown"]
    _, timelines, one = attribute(segments, [Region(0, 6.4)], [T(0.0, 6.4, 0)], RULES)
    assert one.confidence == 0.0 and list(timelines) == ["unknown"]


def test_overlapped_speech_is_not_given_to_either_side():
    segments = mono((0.0, "Staffordshire Police how can I help"), (3.0, "He is here now"), (5.0, "stay on the line"))
    turns = [T(0.0, 2.5, 0), T(3.0, 4.6, 1), T(5.0, 6.4, 0, overlap=True)]
    relabelled, timelines, _ = attribute(segments, [Region(0, 6.4)], turns, RULES)
    assert [s.speaker for s in relabelled] == ["handler", "caller", "unknown"]
    assert timelines["unknown"] == [Region(5.0, 6.4)]


def _voices(handler_like: float, caller_like: float):
    """Two unit centroids and a voiceprint at the given cosines to cluster 1 and cluster 0."""
    c0, c1, rest = np.eye(3)
    print_ = caller_like * c0 + handler_like * c1
    print_ = print_ + np.sqrt(max(0.0, 1 - print_ @ print_)) * rest
    return np.stack([c0, c1]), print_


def test_an_enrolled_voiceprint_decides_over_the_greeting_and_says_so():
    segments = mono((0.0, "Staffordshire Police how can I help"), (3.0, "My bike is gone"))
    turns = [T(0.0, 2.5, 0), T(3.0, 4.5, 1)]
    centroids, voice = _voices(handler_like=0.85, caller_like=0.3)   # the voice is cluster 1's
    relabelled, _, attribution = attribute(segments, [Region(0, 4.5)], turns, RULES, centroids, voice)
    assert attribution.handler_cluster == 1 and attribution.decided_by == "voiceprint"
    assert "voiceprint" in attribution.reason and "greeting was heard from the other speaker" in attribution.reason
    assert attribution.voiceprint_similarity == (0.85, 0.3) or np.allclose(attribution.voiceprint_similarity, (0.85, 0.3))
    assert [s.speaker for s in relabelled] == ["caller", "handler"]
    assert attribution.to_dict()["decided_by"] == "voiceprint"


def test_an_unclear_voiceprint_leaves_the_greeting_to_decide():
    segments = mono((0.0, "Staffordshire Police how can I help"), (3.0, "My bike is gone"))
    turns = [T(0.0, 2.5, 0), T(3.0, 4.5, 1)]
    centroids, voice = _voices(handler_like=0.62, caller_like=0.6)    # within the margin
    assert by_voiceprint(centroids, voice, RULES) is None
    _, _, attribution = attribute(segments, [Region(0, 4.5)], turns, RULES, centroids, voice)
    assert attribution.handler_cluster == 0 and attribution.decided_by == "greeting"
    centroids, far = _voices(handler_like=0.4, caller_like=0.1)       # like neither voice
    assert by_voiceprint(centroids, far, RULES) is None
