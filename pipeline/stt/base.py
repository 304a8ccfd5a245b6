"""The engine interface: audio in, segments with word timestamps out.

Engines know nothing about calls, channels or silences; gating to speech regions, loop guards
and speaker labels are applied around any engine by `callqa.pipeline.stt.decode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from callqa.pipeline.config import ENGINES, STTConfig  # noqa: F401  (ENGINES: re-exported for the CLI)
from callqa.pipeline.transcript import Word

Progress = Callable[[float], None]  # called with seconds of the given audio decoded so far


@dataclass
class RawSegment:
    start_s: float
    end_s: float
    text: str
    words: list[Word]


class SpeechEngine(Protocol):
    name: str
    model: str  # what was loaded: bundled name or path, for the result's provenance

    def transcribe(self, audio: np.ndarray, sample_rate: int, progress: Progress | None = None,
                   prompt: str | None = None) -> list[RawSegment]:
        """Transcribe float32 mono audio; times are seconds from the start of `audio`. `prompt`
        is vocabulary to expect (faster-whisper hotwords, openai-whisper initial prompt)."""
        ...


def load_engine(config: STTConfig) -> SpeechEngine:
    if config.engine == "faster-whisper":
        from callqa.pipeline.stt.faster_whisper_engine import FasterWhisperEngine

        return FasterWhisperEngine(config)
    if config.engine == "openai-whisper":
        from callqa.pipeline.stt.openai_whisper_engine import OpenAIWhisperEngine

        return OpenAIWhisperEngine(config)
    raise ValueError(f"unknown engine {config.engine!r}; choose one of {', '.join(ENGINES)}")
