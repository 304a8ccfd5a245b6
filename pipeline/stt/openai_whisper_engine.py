"""Optional engine: the reference openai-whisper implementation (`pip install .[openai]`).

Slower on CPU than faster-whisper, but it loads any local `.pt` checkpoint, which lets a force
use a fine-tuned model. `whisper.load_model(name)` downloads, so offline use needs `--model PATH`.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from callqa.pipeline.config import STTConfig
from callqa.pipeline.errors import ModelNotFoundError
from callqa.pipeline.stt.base import Progress, RawSegment
from callqa.pipeline.transcript import Word


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, config: STTConfig) -> None:
        try:
            import torch
            import whisper
        except ImportError as exc:
            raise ModelNotFoundError(
                f"engine openai-whisper is not installed ({exc}); install it with "
                "`pip install torch==2.13.0 && pip install .[openai]`") from None
        self.config = config
        self.model = config.model
        torch.set_num_threads(max(1, config.cpu_threads))
        source = config.model
        if not Path(source).is_file() and source not in whisper.available_models():
            raise ModelNotFoundError(
                f"openai-whisper: {source!r} is neither a checkpoint file nor a model name "
                f"({', '.join(whisper.available_models())}); pass --model PATH to a local .pt file")
        try:
            self._model = whisper.load_model(source, device="cpu")
        # A name needs the network; a file may be corrupt or not a checkpoint at all.
        except (OSError, RuntimeError, EOFError, KeyError, ValueError, pickle.UnpicklingError) as exc:
            raise ModelNotFoundError(f"openai-whisper could not load {source!r}: {exc}") from None
        self._whisper = whisper

    def transcribe(self, audio: np.ndarray, sample_rate: int, progress: Progress | None = None,
                   prompt: str | None = None) -> list[RawSegment]:
        if sample_rate != 16000:
            raise ValueError("openai-whisper expects 16 kHz audio")
        if len(audio) < sample_rate // 10:
            return []
        language = self.config.language if self._model.is_multilingual else "en"
        result = self._model.transcribe(
            audio.astype(np.float32), language=language, beam_size=self.config.beam_size, fp16=False,
            word_timestamps=True, condition_on_previous_text=self.config.condition_on_previous_text,
            verbose=None, initial_prompt=prompt)
        out: list[RawSegment] = []
        for seg in result.get("segments", []):
            words = [Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("probability", 0.0)))
                     for w in seg.get("words", [])]
            out.append(RawSegment(float(seg["start"]), float(seg["end"]), seg["text"].strip(), words))
            if progress:
                progress(float(seg["end"]))
        return out
