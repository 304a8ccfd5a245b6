"""Speaker embeddings (GE2E, resemblyzer's pretrained encoder) run in plain numpy, for mono diarization and voiceprints.

The network is resemblyzer's VoiceEncoder: a 3-layer LSTM(40 -> 256) over a 40-band mel power spectrogram
(not log) at 16 kHz, 25 ms windows every 10 ms, then Linear(256 -> 256), ReLU and L2 normalisation of the
last layer's final hidden state, so cosine similarity is a dot product. Weights come from the hash-verified
pinned wheel (models/speaker_weights.py) and neither torch nor resemblyzer is imported. The cost is the
LSTM's matrix products (about 0.43 GFLOP per 1.6 s window), so windows are batched and one BLAS thread used.

Preprocessing follows resemblyzer.audio.preprocess_wav except for its webrtcvad silence trimming: callqa has
its own VAD and chooses the windows itself. Resampling uses soxr (resemblyzer uses librosa.resample).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import soxr
from threadpoolctl import threadpool_limits

from callqa.models.speaker_weights import SPEAKER_MODEL_NAME, load_speaker_weights
from callqa.pipeline.mel import mel_frames, melspectrogram

RATE = 16000
HOP = 160  # 10 ms
N_FFT = 400  # 25 ms
N_MELS = 40
FRAMES_PER_SECOND = RATE // HOP
PARTIAL_FRAMES = 160  # 1.6 s: the length resemblyzer's partial utterances (and its training crops) have
TARGET_DBFS = -30.0
HIDDEN = 256
EMBEDDING_DIM = 256
_INT16_MAX = 2**15 - 1


def normalize_volume(samples: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """resemblyzer's normalize_volume(increase_only=True): the mel is not log, so level changes the embedding."""
    gain = volume_gain(samples, target_dbfs)
    return samples if gain is None else (samples * gain).astype(np.float32)


def volume_gain(samples: np.ndarray, target_dbfs: float = TARGET_DBFS, block: int = 1 << 20) -> np.float32 | None:
    """The gain normalize_volume applies (None: none), from the whole call's level, read a block at a
    time so a long call (a callqa.pipeline.audio.Channel on disk) is never all in memory."""
    total = 0.0
    for start in range(0, len(samples), block):
        part = np.asarray(samples[start:start + block], dtype=np.float64) * _INT16_MAX
        total += float(np.dot(part, part))
    rms = float(np.sqrt(total / len(samples))) if len(samples) else 0.0
    if rms == 0.0:  # digital silence: resemblyzer would multiply by inf
        return None
    change_db = target_dbfs - 20.0 * np.log10(rms / _INT16_MAX)
    return None if change_db < 0 else np.float32(10.0 ** (change_db / 20.0))


MEL_BLOCK_FRAMES = 6000   # windows are embedded from the mel of at most ~60 s of audio at a time
EMBED_BATCH = 64          # windows per LSTM batch: its gate buffers are 42 MB (335 MB at 512, and slower)


def _groups(spans: list[tuple[int, int]], block: int) -> list[list[int]]:
    """Indices of the windows, in start order, grouped so each group covers at most `block` frames
    (a longer window is a group of its own)."""
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and spans[i][1] - spans[groups[-1][0]][0] <= block:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def partial_slices(n_samples: int, rate: float = 1.3, min_coverage: float = 0.75) -> list[tuple[int, int]]:
    """resemblyzer's VoiceEncoder.compute_partial_slices, as (start, stop) mel-frame ranges of 160 frames."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    frame_step = int(np.round((RATE / rate) / HOP))
    if not 0 < frame_step <= PARTIAL_FRAMES:
        raise ValueError(f"partial rate {rate} is out of range")
    steps = max(1, n_frames - PARTIAL_FRAMES + frame_step + 1)
    slices = [(i, i + PARTIAL_FRAMES) for i in range(0, steps, frame_step)]
    coverage = (n_samples - slices[-1][0] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(slices) > 1:
        slices.pop()
    return slices


class SpeakerEncoder:
    """GE2E speaker encoder: mel windows in, L2-normalised 256-d float32 embeddings out.

    Gate weights are stored reordered (i, f, o, g) and the sigmoid gates pre-scaled by 0.5, so each step
    needs one tanh over all gates: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5.
    """

    name = SPEAKER_MODEL_NAME
    dim = EMBEDDING_DIM

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        h = HIDDEN
        gates = [(slice(0, h), 0.5), (slice(h, 2 * h), 0.5), (slice(3 * h, 4 * h), 0.5), (slice(2 * h, 3 * h), 1.0)]
        # Per layer: w_ih (4, in, H), w_hh (4, H, H), bias (4, H); torch's rows are (i, f, g, o).
        self._layers: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for layer in range(3):
            w_ih, w_hh = weights[f"lstm.weight_ih_l{layer}"], weights[f"lstm.weight_hh_l{layer}"]
            bias = weights[f"lstm.bias_ih_l{layer}"] + weights[f"lstm.bias_hh_l{layer}"]
            self._layers.append((
                np.ascontiguousarray(np.stack([w_ih[rows].T * np.float32(k) for rows, k in gates]), np.float32),
                np.ascontiguousarray(np.stack([w_hh[rows].T * np.float32(k) for rows, k in gates]), np.float32),
                np.ascontiguousarray(np.stack([bias[rows] * np.float32(k) for rows, k in gates]), np.float32),
            ))
        self._linear_w = np.ascontiguousarray(weights["linear.weight"].T, np.float32)
        self._linear_b = weights["linear.bias"].astype(np.float32)

    @classmethod
    def load(cls) -> SpeakerEncoder:
        return cls(load_speaker_weights())

    # --- audio -> mel -------------------------------------------------------------------------------------

    @staticmethod
    def preprocess(samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """Mono float32 at 16 kHz, volume-normalised like resemblyzer (no silence trimming)."""
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"expected mono samples, got shape {samples.shape}")
        if sample_rate != RATE:
            samples = soxr.resample(samples, sample_rate, RATE).astype(np.float32)
        return normalize_volume(samples)

    @staticmethod
    def mel(wav: np.ndarray) -> np.ndarray:
        """(frames, 40) float32 mel power spectrogram of preprocessed 16 kHz audio; frame j is centred on j*10 ms."""
        mel = melspectrogram(wav, RATE, n_fft=N_FFT, hop=HOP, n_mels=N_MELS)
        return np.ascontiguousarray(mel.astype(np.float32).T)

    # --- embeddings ---------------------------------------------------------------------------------------

    def embed_windows(self, samples: np.ndarray, sample_rate: int,
                      windows: Sequence[tuple[float, float]]) -> np.ndarray:
        """One embedding row per (start_s, end_s) window, each window embedded as ONE partial utterance.

        The mel is computed for about 60 s of audio at a time (with two hops of context, so its frames are
        the whole call's mel frames) and sliced, and windows are embedded 64 at a time, so memory does not
        grow with the call. A window covers frames round(start*100) up to
        round(end*100). A window shorter than 1.6 s is padded with zero frames to 160: resemblyzer zero-pads a
        short utterance's waveform to 1.6 s, whose mel frames are zero too (here the padding is exact zeros,
        and the window's edge frames see the real neighbouring audio instead of padding). Longer windows
        run over all their frames as one sequence; frames past the end of the call are padding. The volume
        is normalised over the whole call (increase only), so windows keep their relative levels.
        """
        if not windows:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        if sample_rate != RATE:  # an array at another rate (tools, tests): short enough to resample whole
            samples = soxr.resample(np.asarray(samples, dtype=np.float32), sample_rate, RATE).astype(np.float32)
        if getattr(samples, "ndim", 1) != 1:
            raise ValueError(f"expected mono samples, got shape {np.shape(samples)}")
        total = 1 + len(samples) // HOP          # frames of the whole call's mel (centred frames)
        spans = []
        for start_s, end_s in windows:
            first = int(round(start_s * FRAMES_PER_SECOND))
            stop = max(int(round(end_s * FRAMES_PER_SECOND)), first + 1)
            if start_s < 0 or end_s <= start_s or first >= total:
                raise ValueError(f"window ({start_s}, {end_s}) s is empty or outside the audio")
            spans.append((first, min(stop, total)))
        gain = volume_gain(samples)
        out = np.zeros((len(spans), EMBEDDING_DIM), np.float32)
        pending: list[int] = []
        mels: list[np.ndarray] = []
        for group in _groups(spans, MEL_BLOCK_FRAMES):
            lo, hi = spans[group[0]][0], max(spans[i][1] for i in group)
            mel = np.ascontiguousarray(mel_frames(samples, lo, hi, RATE, N_FFT, HOP, N_MELS, gain=gain).T)
            for i in group:
                pending.append(i)
                mels.append(mel[spans[i][0] - lo:spans[i][1] - lo])
            if len(pending) >= EMBED_BATCH:
                out[pending] = self.embed_mels(mels, min_frames=PARTIAL_FRAMES)
                pending, mels = [], []
        if pending:
            out[pending] = self.embed_mels(mels, min_frames=PARTIAL_FRAMES)
        return out

    def embed_utterance(self, samples: np.ndarray, sample_rate: int, rate: float = 1.3,
                        min_coverage: float = 0.75) -> np.ndarray:
        """resemblyzer's embed_utterance: L2-normalised mean of 1.6 s partials taken `rate` times a second."""
        wav = self.preprocess(samples, sample_rate)
        if not wav.size:
            raise ValueError("cannot embed an empty utterance")
        slices = partial_slices(len(wav), rate, min_coverage)
        stop = slices[-1][1] * HOP
        if stop >= len(wav):  # like resemblyzer: pad the waveform so the last partial is complete
            wav = np.pad(wav, (0, stop - len(wav)))
        mel = self.mel(wav)
        partials = self.embed_mels([mel[a:b] for a, b in slices])
        mean = partials.mean(axis=0)
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)

    def embed_mels(self, mels: Sequence[np.ndarray], min_frames: int = 0) -> np.ndarray:
        """Embed mel sequences ((frames, 40) each, any lengths) in one batch; zero-pad each to min_frames."""
        if not mels:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        if any(m.ndim != 2 or m.shape[1] != N_MELS for m in mels):
            raise ValueError(f"mel sequences must be (frames, {N_MELS}) arrays")
        lengths = np.array([max(len(m), min_frames) for m in mels])
        if lengths.min() < 1:
            raise ValueError("cannot embed an empty mel sequence")
        order = np.argsort(-lengths, kind="stable")  # longest first: the live batch is always a prefix
        x = np.zeros((int(lengths.max()), len(mels), N_MELS), np.float32)  # time-major
        for column, index in enumerate(order):
            x[:len(mels[index]), column] = mels[index]
        with threadpool_limits(1, user_api="blas"):  # small products: one BLAS thread is fastest
            hidden = self._lstm(x, lengths[order])
            embeds = hidden @ self._linear_w
        embeds += self._linear_b
        np.maximum(embeds, 0.0, out=embeds)
        embeds /= np.maximum(np.linalg.norm(embeds, axis=1, keepdims=True), np.float32(1e-12))
        out = np.empty_like(embeds)
        out[order] = embeds
        return out

    def _lstm(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Last layer's hidden state at each sequence's own last frame; x is (T, B, 40), lengths descending.

        At step t only the first live[t] sequences (those longer than t) are updated, so a finished
        sequence's h keeps its state from its last frame and padding costs nothing. Gates are laid out
        (4, batch, hidden) so every elementwise operation runs over contiguous blocks.
        """
        steps, batch, _ = x.shape
        live = (lengths[None, :] > np.arange(steps)[:, None]).sum(axis=1)
        bounds = np.flatnonzero(np.diff(live)) + 1  # runs of steps with the same live count
        runs = [(int(a), int(b), int(live[a])) for a, b in zip(np.r_[0, bounds], np.r_[bounds, steps])]
        # Buffers shared by the layers (fresh large arrays cost page faults): a layer's input projections
        # are computed from the previous layer's outputs before its own outputs overwrite them. Rows of
        # finished sequences are never read, so neither buffer needs clearing.
        gates_x = np.empty((4, steps, batch, HIDDEN), np.float32)
        outputs = np.empty((steps, batch, HIDDEN), np.float32)
        for index, (w_ih, w_hh, bias) in enumerate(self._layers):
            for t0, t1, n in runs:
                for k in range(4):
                    if n == batch:  # one large product over the whole run
                        out = gates_x[k, t0:t1].reshape(-1, HIDDEN)
                        np.matmul(x[t0:t1].reshape(-1, x.shape[2]), w_ih[k], out=out)
                    else:
                        out = gates_x[k, t0:t1, :n]
                        np.matmul(x[t0:t1, :n], w_ih[k], out=out)
                    out += bias[k]
            keep = index < len(self._layers) - 1  # the last layer only needs its final state
            h = np.zeros((batch, HIDDEN), np.float32)
            c = np.zeros((batch, HIDDEN), np.float32)
            z = np.empty((4, batch, HIDDEN), np.float32)
            for t in range(steps):
                n = live[t]
                zt, ht, ct = z[:, :n], h[:n], c[:n]
                np.matmul(ht, w_hh, out=zt)
                zt += gates_x[:, t, :n]
                np.tanh(zt, out=zt)
                sig = zt[:3]
                sig *= 0.5
                sig += 0.5
                i, f, o, g = zt
                ct *= f
                g *= i
                ct += g
                np.tanh(ct, out=ht)
                ht *= o
                if keep:
                    outputs[t, :n] = ht
            x = outputs
        return h


@functools.lru_cache(maxsize=1)
def default_speaker_encoder() -> SpeakerEncoder:
    """The process-wide encoder from the pinned wheel, loaded (and verified) on first use."""
    return SpeakerEncoder.load()
