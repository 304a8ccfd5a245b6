"""Handler voiceprints: what a handler's voice sounds like to the speaker encoder.

A force knows the handler of every call, and most handlers also take stereo calls, where their
channel is theirs alone. Each stereo call gives a `VoiceSample` (the mean speaker embedding of
the handler's speech); a handler's `Voiceprint` is the centroid of their samples, with how many
calls and seconds it rests on. On a mono call, the cluster whose voice is nearer the voiceprint
is the handler (`callqa.pipeline.attribution.by_voiceprint`).

Voiceprints are biometric personal data. They live only in the store (`voice_samples`), are
deleted with the handler (`callqa voiceprints delete HANDLER`), and are never part of a result's
JSON, an export, a panel pack or the review app: a `CallResult` carries its sample outside
`to_dict()`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from callqa.pipeline.vad import Region

VOICE_ENCODER = "resemblyzer-ge2e"  # the speaker encoder voiceprints are made with
WINDOW_S = 1.6        # one GE2E partial
MIN_SECONDS = 3.0     # less handler speech than this gives no sample: too little to know a voice
MAX_SECONDS = 120.0   # a sample uses the first two minutes of speech: enough for a voice, bounded memory


@dataclass(frozen=True)
class VoiceSample:
    """One call's evidence of its handler's voice."""

    vector: np.ndarray    # unit float32
    seconds: float        # handler speech it was computed from
    encoder: str

    def to_dict(self) -> dict[str, Any]:
        return {"vector": encode_vector(self.vector), "seconds": round(self.seconds, 2), "encoder": self.encoder}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "VoiceSample":
        return cls(decode_vector(data["vector"]), float(data["seconds"]), str(data["encoder"]))


@dataclass(frozen=True)
class Voiceprint:
    handler_id: str
    vector: np.ndarray
    calls: int
    seconds: float
    encoder: str
    updated_at: datetime | None = None


def encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, np.float32).tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float32).copy()


def windows_in(regions: list[Region], window_s: float = WINDOW_S) -> list[tuple[float, float]]:
    """Back-to-back windows over the speech regions (a region shorter than a window is one window)."""
    out = []
    for r in regions:
        t = r.start_s
        while r.end_s - t >= window_s:
            out.append((t, t + window_s))
            t += window_s
        if r.end_s - t >= 0.5 or (not out and r.end_s > r.start_s):
            out.append((t, r.end_s))
    return out


def _first_speech(regions: list[Region], seconds: float) -> list[Region]:
    """The regions holding the first `seconds` of speech (the last one cut short)."""
    out, total = [], 0.0
    for r in regions:
        if total >= seconds:
            break
        take = min(r.duration_s, seconds - total)
        out.append(Region(r.start_s, r.start_s + take) if take < r.duration_s else r)
        total += take
    return out


def voice_sample(samples: np.ndarray, sample_rate: int, regions: list[Region], encoder) -> VoiceSample | None:
    """The mean embedding of one party's speech on its own channel; None below MIN_SECONDS."""
    regions = _first_speech(regions, MAX_SECONDS)
    seconds = sum(r.duration_s for r in regions)
    if seconds < MIN_SECONDS:
        return None
    end = int(np.ceil((regions[-1].end_s + 0.05) * sample_rate))
    emb = encoder.embed_windows(samples[:end], sample_rate, windows_in(regions))
    mean = emb.mean(axis=0)
    return VoiceSample((mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32), seconds, encoder.name)


def centroid(handler_id: str, samples: list[VoiceSample], updated_at: datetime | None = None) -> Voiceprint | None:
    """A handler's voiceprint: their samples' mean, weighted by seconds of speech."""
    if not samples:
        return None
    weights = np.array([s.seconds for s in samples])
    mean = (np.stack([s.vector for s in samples]) * weights[:, None]).sum(0)
    vector = (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)
    return Voiceprint(handler_id, vector, len(samples), float(weights.sum()), samples[0].encoder, updated_at)
