"""Mel spectrograms and MFCCs in numpy, the same numbers librosa gives, without librosa.

librosa's filters and STFT import numba and llvmlite: about 210 MB of resident memory in every
batch worker that enrols a voiceprint or diarizes a mono call (measured: 26 MB -> 239 MB on the
first melspectrogram), which alone broke the 600 MB per-worker budget (issue 17). The speaker
encoder and the diarizer need only a centred Hann STFT, a Slaney mel filterbank, power in dB and
a DCT, so they are written out here; tests/test_mel.py checks them against librosa.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.fft import dct

# Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    hz = np.asanyarray(hz, dtype=np.float64)
    mels = hz / _F_SP
    log = hz >= _MIN_LOG_HZ
    return np.where(log, _MIN_LOG_MEL + np.log(np.maximum(hz, 1e-12) / _MIN_LOG_HZ) / _LOGSTEP, mels)


def mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.asanyarray(mels, dtype=np.float64)
    hz = _F_SP * mels
    return np.where(mels >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels - _MIN_LOG_MEL)), hz)


@lru_cache(maxsize=8)
def mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) float32 triangular filters, Slaney-normalised (librosa.filters.mel)."""
    fmax = sr / 2 if fmax is None else fmax
    fft_freqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=np.float32)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    weights.setflags(write=False)
    return weights


@lru_cache(maxsize=8)
def _hann(n: int) -> np.ndarray:
    """The periodic Hann window (scipy's get_window('hann', n, fftbins=True))."""
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
    window.setflags(write=False)
    return window


def power_spectrogram(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """|STFT|^2, (1 + n_fft // 2, frames) float32; frames centred on j * hop (zero padding at the edges,
    librosa's center=True, pad_mode="constant")."""
    y = np.asarray(y, dtype=np.float32)
    padded = np.pad(y, n_fft // 2)
    count = 1 + (len(padded) - n_fft) // hop
    if count <= 0:
        return np.zeros((1 + n_fft // 2, 0), np.float32)
    frames = np.lib.stride_tricks.as_strided(padded, shape=(count, n_fft),
                                             strides=(padded.strides[0] * hop, padded.strides[0]), writeable=False)
    spectrum = np.fft.rfft(frames * _hann(n_fft), axis=1)
    return (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32).T


def melspectrogram(y: np.ndarray, sr: int, n_fft: int, hop: int, n_mels: int, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """(n_mels, frames) mel power spectrogram (librosa.feature.melspectrogram with power 2)."""
    return mel_filterbank(sr, n_fft, n_mels, fmin, fmax) @ power_spectrogram(y, n_fft, hop)


EDGE_FRAMES = 2   # hops of context either side of a stretch: enough for any n_fft up to 4 hops


def mel_frames(samples: np.ndarray, first: int, stop: int, sr: int, n_fft: int, hop: int, n_mels: int,
               fmin: float = 0.0, fmax: float | None = None, gain: np.float32 | None = None) -> np.ndarray:
    """Frames [first, stop) of the whole signal's centred mel spectrogram, (n_mels, frames), computed
    from that stretch alone plus two hops of context, so a long call (a pipeline.audio.Channel on
    disk) is read a block at a time and the frames equal the whole call's. `gain` scales the stretch
    (a volume normalisation worked out over the whole call)."""
    if n_fft // 2 > EDGE_FRAMES * hop:
        raise ValueError(f"n_fft {n_fft} reaches past {EDGE_FRAMES} hops of {hop} samples")
    lo = max(0, first - EDGE_FRAMES)
    wav = np.asarray(samples[lo * hop:min(len(samples), (stop + EDGE_FRAMES) * hop)], dtype=np.float32)
    if gain is not None:
        wav = wav * gain
    return melspectrogram(wav, sr, n_fft, hop, n_mels, fmin, fmax)[:, first - lo:stop - lo]


def power_to_db(power: np.ndarray, amin: float = 1e-10) -> np.ndarray:
    """10 log10(power), floored at `amin` (librosa.power_to_db with ref 1 and no top_db)."""
    return 10.0 * np.log10(np.maximum(amin, power))


def mfcc(db: np.ndarray, n_mfcc: int) -> np.ndarray:
    """(n_mfcc, frames) cepstra of a dB mel spectrogram (DCT-II, orthonormal, no liftering)."""
    return dct(db, axis=-2, type=2, norm="ortho")[..., :n_mfcc, :]
