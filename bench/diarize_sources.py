"""Mono speech with reference speaker turns, for diarization tests and bench/bench_diarize.py.

Two sets, kept apart:
- **tune** (what the diarizer's settings were chosen on): conversations assembled from the
  Harvard sentences of two real speakers (clean, and telephone band), `stereo_diarization.wav`
  mixed down, and the mono mixes of the 13 sample calls;
- **measure** (never used to choose anything): the real two-person conversations `dev00.wav` and
  `dev01.wav` with their published RTTM turns, clean and telephone band, and the mono mixes of
  the 19 unseen calls in `sample_audio/unseen/`.
References are published turns (RTTM), or each talker's own VAD regions on its own channel.
"""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfiltfilt

from callqa.pipeline.audio import load_call
from callqa.pipeline.vad import speech_regions

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
SAMPLES = ROOT / "sample_audio"
UNSEEN = SAMPLES / "unseen"
RATE = 16000

Ref = dict[int, list[tuple[float, float]]]


def regions_of(x: np.ndarray, offset: float = 0.0) -> list[tuple[float, float]]:
    return [(r.start_s + offset, r.end_s + offset) for r in speech_regions(x.astype(np.float32), RATE)]


def telephone(x: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Band-limit 300-3400 Hz, 8 kHz, mu-law encode/decode, back to 16 kHz."""
    sos = butter(6, [300, 3400], btype="bandpass", fs=rate, output="sos")
    y = soxr.resample(sosfiltfilt(sos, x).astype(np.float32), rate, 8000)
    mu = 255.0
    y = np.clip(y, -1, 1)
    q = np.round((np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu) + 1) / 2 * 255)
    e = q / 255 * 2 - 1
    y = np.sign(e) * ((1 + mu) ** np.abs(e) - 1) / mu
    return soxr.resample(y.astype(np.float32), 8000, rate).astype(np.float32)


def harvard_conversation(seed: int, rounds: int = 2) -> tuple[np.ndarray, Ref]:
    """Alternate the two Harvard speakers, 0.3-1.0 s gaps; reference from each sentence's VAD."""
    rng = np.random.default_rng(seed)
    sents = {s: [sf.read(REAL / "harvard" / f"spk{s + 1}_snt{i}.wav", dtype="float32")[0] for i in range(1, 6)]
             for s in (0, 1)}
    order = {s: [sents[s][i] for i in rng.permutation(5)] * rounds for s in (0, 1)}
    first = int(rng.integers(2))
    pieces, ref, t = [np.zeros(int(0.5 * RATE), np.float32)], {0: [], 1: []}, 0.5
    for k in range(10 * rounds):
        spk = (first + k) % 2
        x = order[spk][k // 2]
        ref[spk].extend(regions_of(x, t))
        pieces.append(x)
        gap = rng.uniform(0.3, 1.0)
        pieces.append(np.zeros(int(gap * RATE), np.float32))
        t = sum(len(p) for p in pieces) / RATE
    return np.concatenate(pieces), ref


def stereo_mix(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, Ref]:
    return ((left + right) / 2).astype(np.float32), {0: regions_of(left), 1: regions_of(right)}


def call_mix(path: str | Path) -> tuple[np.ndarray, Ref]:
    """A stereo sample call mixed to mono; reference 0 = handler, 1 = caller."""
    call = load_call(path)
    return stereo_mix(np.asarray(call.channels["handler"]), np.asarray(call.channels["caller"]))


def at_level(x: np.ndarray, dbfs: float = -26.0) -> np.ndarray:
    """Scale to a telephone line's speech level: the AMI excerpts are far quieter (-41 dBFS) than
    a contact-centre recording, and the VAD's energy floor would drop most of their speech."""
    rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) + 1e-12
    return np.clip(x * (10 ** (dbfs / 20) / rms), -1, 1).astype(np.float32)


def rttm(path: Path, file_id: str) -> Ref:
    speakers: dict[str, list[tuple[float, float]]] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER" and parts[1] == file_id:
            start, duration = float(parts[3]), float(parts[4])
            speakers.setdefault(parts[7], []).append((start, start + duration))
    return {i: speakers[name] for i, name in enumerate(sorted(speakers))}


def tune_sources() -> dict[str, tuple[np.ndarray, Ref]]:
    out: dict[str, tuple[np.ndarray, Ref]] = {}
    st, rate = sf.read(REAL / "stereo_diarization.wav", dtype="float32")
    assert rate == RATE
    out["stereo_diarization"] = stereo_mix(st[:, 0], st[:, 1])
    for seed in (1, 2, 3):
        x, ref = harvard_conversation(seed)
        out[f"harvard_{seed}"] = (x, ref)
        out[f"harvard_{seed}_tel"] = (telephone(x), ref)
    for path in sorted(glob.glob(str(SAMPLES / "*.wav"))):
        out[f"call_{Path(path).stem}"] = call_mix(path)
    return out


def measure_sources(calls: bool = True) -> dict[str, tuple[np.ndarray, Ref]]:
    out: dict[str, tuple[np.ndarray, Ref]] = {}
    for name in ("dev00", "dev01"):
        x, rate = sf.read(REAL / "conversations" / f"{name}.wav", dtype="float32")
        assert rate == RATE
        x = at_level(x)
        ref = rttm(REAL / "conversations" / "dev.rttm", name)
        out[f"ami_{name}"] = (x, ref)
        out[f"ami_{name}_tel"] = (at_level(telephone(x)), ref)
    if calls:
        for path in sorted(glob.glob(str(UNSEEN / "*.wav"))):
            out[f"unseen_{Path(path).stem}"] = call_mix(path)
    return out
