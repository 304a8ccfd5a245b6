"""Diarization of mono mixes of real speech, scored by DER (0.25 s collar).

Sources: stereo_diarization.wav (two real talkers, one per channel, 5 s, they overlap),
conversations assembled from the Harvard sentences of two real speakers (clean 16 kHz and a
telephone-band 8 kHz mu-law version), and the mono downmix of the project's sample calls.
References are each talker's own VAD regions (pipeline.vad on each channel / each sentence).
"""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from scipy.signal import butter, sosfiltfilt

from pipeline.audio import load_call
from pipeline.diarize import Turn, der, diarize
from pipeline.vad import speech_regions

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
SAMPLES = ROOT / "sample_audio"
need_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real speech not present at {REAL}")

Ref = dict[int, list[tuple[float, float]]]


def _regions(x: np.ndarray, offset: float = 0.0) -> list[tuple[float, float]]:
    return [(r.start_s + offset, r.end_s + offset) for r in speech_regions(x.astype(np.float32), 16000)]


def telephone(x: np.ndarray, rate: int = 16000) -> np.ndarray:
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
    pieces, ref, t = [np.zeros(int(0.5 * 16000), np.float32)], {0: [], 1: []}, 0.5
    for k in range(10 * rounds):
        spk = (first + k) % 2
        x = order[spk][k // 2]
        ref[spk].extend(_regions(x, t))
        pieces.append(x)
        t += len(x) / 16000
        gap = rng.uniform(0.3, 1.0)
        pieces.append(np.zeros(int(gap * 16000), np.float32))
        t = sum(len(p) for p in pieces) / 16000
    return np.concatenate(pieces), ref


def stereo_mix(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, Ref]:
    return ((left + right) / 2).astype(np.float32), {0: _regions(left), 1: _regions(right)}


def sources() -> dict[str, tuple[np.ndarray, Ref]]:
    out: dict[str, tuple[np.ndarray, Ref]] = {}
    st, rate = sf.read(REAL / "stereo_diarization.wav", dtype="float32")
    assert rate == 16000
    out["stereo_diarization"] = stereo_mix(st[:, 0], st[:, 1])
    for seed in (1, 2, 3):
        x, ref = harvard_conversation(seed)
        out[f"harvard_{seed}"] = (x, ref)
        out[f"harvard_{seed}_tel"] = (telephone(x), ref)
    for path in sorted(glob.glob(str(SAMPLES / "*.wav"))):
        call = load_call(path)
        out[f"call_{Path(path).stem}"] = stereo_mix(call.channels["handler"], call.channels["caller"])
    return out


def run(x: np.ndarray) -> tuple[list[Turn], list]:
    regions = speech_regions(x, 16000)
    return diarize(x, 16000, regions), regions


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[float, float]]:
    """DER and reference speech seconds per source."""
    res = {}
    for name, (x, ref) in sources().items():
        turns, _ = run(x)
        speech = sum(e - s for iv in ref.values() for s, e in iv)
        res[name] = (der(ref, turns), speech)
        print(f"{name:34s} DER {100 * res[name][0]:5.1f}%  ref speech {speech:6.1f}s  turns {len(turns)}")
    return res


def _pooled(res: dict[str, tuple[float, float]], prefix: str) -> float:
    items = [v for k, v in res.items() if k.startswith(prefix)]
    return sum(d * s for d, s in items) / sum(s for _, s in items)


@need_real
def test_der_per_source(results):
    clean = _pooled({k: v for k, v in results.items() if k.startswith("harvard_") and not k.endswith("_tel")}, "")
    tel = _pooled({k: v for k, v in results.items() if k.endswith("_tel")}, "")
    calls = _pooled(results, "call_")
    overall = _pooled(results, "")
    print(f"pooled DER: harvard clean {100 * clean:.1f}%  harvard telephone {100 * tel:.1f}%  "
          f"sample calls {100 * calls:.1f}%  overall {100 * overall:.1f}%")
    assert clean < 0.05            # measured 0.0%
    assert calls < 0.10            # measured 3.7% pooled (worst call, with talk-over, ~13%)
    # telephone band (300-3400 Hz, mu-law) on ~45 s conversations: measured ~15% pooled, one of
    # three conversations at ~25%; the bound guards against regressions, it is not a target
    assert tel < 0.25
    # 5 s, two sentences that overlap: the overlapped part is always half missed with one label per frame
    assert results["stereo_diarization"][0] < 0.40


def test_der_function():
    ref = {0: [(0.0, 2.0)], 1: [(2.0, 4.0)]}
    perfect = [Turn(0.0, 2.0, 1, 1.0), Turn(2.0, 4.0, 0, 1.0)]
    assert der(ref, perfect) == 0.0
    one = [Turn(0.0, 4.0, 0, 1.0)]
    assert 0.3 < der(ref, one) < 0.6                 # half the scored speech confused
    assert der(ref, []) == 1.0                       # all missed


@need_real
def test_single_speaker_is_one_speaker_low_confidence():
    # One party's channel of a sample call. Measured: 17 of 29 single-speaker inputs are detected
    # (all single channels with likelihood ratio < 0.8); Harvard spk1/spk2 alone, jfk.flac and 7
    # sample-call channels come back as two clusters: the detector is conservative, it never
    # fired on a two-speaker mix here.
    for name, side in (("good_999", "handler"), ("interruptions", "caller"), ("mate", "caller"),
                       ("vulnerable_safeguarded", "handler")):
        ch = load_call(SAMPLES / f"{name}.wav").channels[side]
        turns, _ = run(ch)
        assert turns
        assert {t.speaker for t in turns} == {0}, name
        assert max(t.confidence for t in turns) <= 0.3


@need_real
def test_turns_lie_within_vad_regions():
    x, _ = harvard_conversation(7)
    turns, regions = run(x)
    assert {t.speaker for t in turns} == {0, 1}
    for t in turns:
        assert t.end_s > t.start_s and 0.0 <= t.confidence <= 1.0
        assert any(r.start_s - 1e-6 <= t.start_s and t.end_s <= r.end_s + 1e-6 for r in regions)
    covered = sum(t.duration_s for t in turns)
    assert abs(covered - sum(r.duration_s for r in regions)) < 0.05


def test_empty_and_silent_inputs():
    assert diarize(np.zeros(16000, np.float32), 16000, []) == []
    rng = np.random.default_rng(0)
    noise = (0.001 * rng.standard_normal(16000 * 3)).astype(np.float32)
    turns, _ = run(noise)
    assert all(t.speaker == 0 for t in turns)
