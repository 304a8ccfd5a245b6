"""Sentence vectors of a call, computed once with the transcription and stored beside it.

Re-scoring with a new rule pack must stay free of the neural models, so the vectors of every
unit a call has are kept (float16, base64, in the result) and looked up by text; a text with no
stored vector (a transcript from before vectors were stored) is embedded on demand.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from callqa.pipeline.intents.units import Unit


def _encoder():
    from callqa.pipeline.embeddings import default_encoder

    return default_encoder()


@dataclass
class SentenceVectors:
    model: str
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def matrix(self, texts: list[str]) -> np.ndarray:
        """Rows for `texts` (unit-norm float32), embedding any the store does not hold."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            encoder = _encoder()
            for text, vec in zip(missing, encoder.encode(missing)):
                self.vectors[text] = vec.astype(np.float32)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32, copy=False)

    def to_dict(self) -> dict[str, Any]:
        texts = sorted(self.vectors)
        data = np.stack([self.vectors[t] for t in texts]).astype(np.float16) if texts else np.zeros((0, 0), np.float16)
        return {"model": self.model, "dim": int(data.shape[1]) if texts else 0, "texts": texts,
                "data": base64.b64encode(data.tobytes()).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "SentenceVectors":
        if not data:
            return cls(_encoder().name)
        texts, dim = data["texts"], data["dim"]
        raw = np.frombuffer(base64.b64decode(data["data"]), dtype=np.float16)
        rows = raw.reshape(len(texts), dim).astype(np.float32) if texts else raw.reshape(0, 0)
        return cls(data["model"], dict(zip(texts, rows)))


def embed_units(units: list[Unit], encoder=None) -> SentenceVectors:
    """Vectors for every distinct unit text of a call, in one batched pass of the encoder."""
    encoder = encoder or _encoder()
    texts = list(dict.fromkeys(u.text for u in units if u.text))
    vectors = dict(zip(texts, encoder.encode(texts))) if texts else {}
    return SentenceVectors(encoder.name, vectors)
