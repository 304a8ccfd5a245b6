"""A second, vocabulary-primed decode of the handler's opening, where the greeting hinges on it.

The greeting verdict rests on a few seconds and one proper name that a small model often
mishears ("Stafford to your police"). When the first pass found no force name in the opening
stretch, that stretch alone is decoded again with the force's names as hotwords (faster-whisper)
or prompt (openai-whisper): about a second of compute. The new words replace the old only if
they name the force, so a call whose handler never said it stays a fail (measured in
bench/accuracy.py, docs/judgements.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from callqa.pipeline.matching import find_any, tokens_of
from callqa.pipeline.stt.base import SpeechEngine
from callqa.pipeline.transcript import Segment, Word, segment_from_words, split_words
from callqa.pipeline.vad import Region

PAD_S = 0.3
MAX_TAIL_S = 30.0


@dataclass
class GreetingPass:
    tried: bool
    replaced: bool
    before: str = ""
    after: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _names_force(segments: list[Segment], force_names: list[str], matching: dict) -> bool:
    return bool(find_any(tokens_of(segments), force_names, matching))


def redecode_opening(engine: SpeechEngine, audio: np.ndarray, sample_rate: int, segments: list[Segment],
                     regions: list[Region], greeting: dict, matching: dict) -> tuple[list[Segment], GreetingPass]:
    """The handler's segments with the opening re-decoded if that makes it name the force."""
    if not regions:
        return segments, GreetingPass(False, False)
    start = regions[0].start_s
    end = start + greeting["span_s"]
    opening = [s for s in segments if s.start_s < end]
    if _names_force(opening, greeting["force_names"], matching):
        return segments, GreetingPass(False, False)
    a = max(0.0, start - PAD_S)
    # The opening's speech, but never more than MAX_TAIL_S past the greeting span: one region of a
    # long call can run for minutes, and the whole of it would be decoded twice.
    speech_end = min(max((r.end_s for r in regions if r.start_s < end), default=end), end + MAX_TAIL_S)
    b = min(len(audio) / sample_rate, max(end, speech_end) + PAD_S)
    clip = audio[int(a * sample_rate):int(b * sample_rate)]
    prompt = greeting["force_names"][0].title()  # the name as written; the other entries are how it is misheard
    raw = engine.transcribe(clip, sample_rate, None, prompt=prompt)
    words = [Word(w.text, w.start_s + a, w.end_s + a, w.probability) for seg in raw for w in seg.words if w.text.strip()]
    before = " ".join(s.text for s in opening)
    if not words:
        return segments, GreetingPass(True, False, before)
    speaker = segments[0].speaker if segments else "handler"
    new = [segment_from_words(speaker, g) for g in split_words(words, 1.5)]
    after = " ".join(s.text for s in new)
    if not _names_force([s for s in new if s.start_s < end], greeting["force_names"], matching):
        return segments, GreetingPass(True, False, before, after)
    last = words[-1].end_s
    kept_words = [w for s in segments for w in s.words if w.start_s >= last]
    kept = [segment_from_words(speaker, g) for g in split_words(kept_words, 1.5)] if kept_words else []
    return new + kept, GreetingPass(True, True, before, after)
