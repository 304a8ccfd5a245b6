"""Handler identification and word attribution on mono calls, from diarization turns."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipeline.attribution import attribute
from pipeline.rules import load_rule_pack
from pipeline.vad import Region
from tests.helpers import turn

RULES = load_rule_pack()


@dataclass(frozen=True)
class T:
    start_s: float
    end_s: float
    speaker: int
    confidence: float = 0.9


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
