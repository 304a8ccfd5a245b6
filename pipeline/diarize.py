"""Two-speaker diarization of a MONO call (both parties mixed on one channel), offline on CPU.

Default method (`method = "embeddings"`): speaker embeddings (GE2E, `pipeline/speaker_encoder.py`)
of short windows inside the VAD speech, two clusters (k-means on the unit vectors, refined by
cosine to the cluster centroids), the per-window margin cos(c0) - cos(c1) spread back onto 10 ms
frames, smoothed, and runs of one label inside each VAD region become turns; frames whose margin
is too small to call are marked as overlap (both, or neither, clearly) instead of being forced
onto one side. A call whose two centroids are nearly the same voice is one speaker, low
confidence. The centroids are returned, so a handler's enrolled voiceprint can say which cluster
is the handler.

The earlier method (`method = "mfcc"`), kept for comparison in bench/bench_diarize.py: MFCCs (telephone band, 300-3400 Hz, so 8 kHz mu-law calls and wide-band audio behave
alike) with mean/variance normalisation over the call's speech; short windows inside the VAD
speech regions pooled into mean+std vectors; two clusters (k-means), refined by re-assigning
windows under one full-covariance Gaussian per speaker; the per-window log-likelihood ratio is
spread back onto 10 ms frames, smoothed, and runs of one label inside each VAD region become turns.
A call whose k-means split barely beats one Gaussian (likelihood ratio per frame) is reported as
one speaker with low confidence.

Speaker ids are cluster ids (0 = the cluster that speaks first), not roles: deciding which one is
the handler is the caller's job (e.g. from the greeting).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from callqa.pipeline.mel import mel_frames, mfcc, power_to_db
from callqa.pipeline.vad import Region

RATE = 16000
HOP = 160                 # 10 ms frames
FRAME_S = HOP / RATE


class WindowEncoder(Protocol):
    name: str

    def embed_windows(self, samples: np.ndarray, sample_rate: int,
                      windows: list[tuple[float, float]]) -> np.ndarray: ...


@dataclass(frozen=True)
class DiarizeConfig:
    """Window, clustering and smoothing settings (chosen by DER on the tuning sources, see tests)."""

    method: str = "embeddings"     # "embeddings" (speaker encoder) or "mfcc" (the older statistics)
    one_speaker_cos: float = 0.80  # embeddings: centroids this alike, and the MFCC likelihood ratio
                                   # below one_speaker_glr, are one voice (neither test alone separates)
    overlap_margin: float = 0.15   # embeddings: |frame margin| / median below this is overlap
    window_s: float = 1.5          # pooled window length
    hop_s: float = 1.0             # window step (tune sources: DER 3.2% at 1.0 s, 3.3% at 0.5 s, half the cost)
    min_window_s: float = 0.3      # a region shorter than this is assigned from its neighbours only
    n_mfcc: int = 20
    smooth_s: float = 0.5          # moving average over frame margins
    min_turn_s: float = 0.4        # shorter runs inside a region take the surrounding label
    one_speaker_glr: float = 0.8   # below: one speaker (measured: two-speaker mixes 0.91-1.94, one 0.27-3.5)
    refine_iters: int = 5          # Gaussian re-assignment passes after k-means


@dataclass(frozen=True)
class Turn:
    start_s: float
    end_s: float
    speaker: int          # 0 or 1 (cluster id); for an overlap, the nearer of the two
    confidence: float     # 0-1
    overlap: bool = False  # both speakers (or neither clearly): not given to either side

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Diarization:
    """Turns, and each cluster's voice (unit centroid), so an enrolled voiceprint can pick the handler."""

    turns: list[Turn]
    centroids: np.ndarray | None = None   # (2, dim), row = cluster id after relabelling
    encoder: str = ""
    separation: float = 0.0               # 1 - cosine of the centroids: how different the voices are


FEATURE_BLOCK_FRAMES = 6000   # mel frames computed at once (60 s): memory does not grow with the call
MAX_GLR_WINDOWS = 2400        # the one-speaker test's windows (40 min of speech; longer calls are sampled)


def _features(samples: np.ndarray, sample_rate: int, config: DiarizeConfig) -> np.ndarray:
    """Frame-level MFCC (without c0), 10 ms hop, telephone band; shape (frames, n_mfcc), float32.

    Computed a block at a time in two passes (the first finds the call's loudest mel bin, which sets
    power_to_db's 80 dB floor), giving the same values as the whole call's MFCC at once."""
    if sample_rate != RATE:
        import soxr
        samples = soxr.resample(np.asarray(samples, dtype=np.float32), sample_rate, RATE)
    peak = max((float(m.max()) for m in _mel_blocks(samples)), default=0.0) + 1e-10
    floor_db = 10 * np.log10(peak) - 80.0
    out = np.empty((1 + len(samples) // HOP, config.n_mfcc), np.float32)
    first = 0
    for mel in _mel_blocks(samples):
        db = np.maximum(power_to_db(mel + 1e-10), floor_db)
        out[first:first + mel.shape[1]] = mfcc(db, config.n_mfcc + 1)[1:].T
        first += mel.shape[1]
    return out


def _mel_blocks(samples: np.ndarray) -> Iterator[np.ndarray]:
    """The call's telephone-band mel spectrogram, (40, frames) blocks in order, read a block at a time."""
    total = 1 + len(samples) // HOP
    for first in range(0, total, FEATURE_BLOCK_FRAMES):
        yield mel_frames(samples, first, min(total, first + FEATURE_BLOCK_FRAMES), RATE, n_fft=512, hop=HOP,
                         n_mels=40, fmin=300, fmax=3400)


def _windows(regions: list[Region], n_frames: int, config: DiarizeConfig) -> list[tuple[int, int]]:
    """Frame ranges of the analysis windows inside the speech regions."""
    win = int(round(config.window_s / FRAME_S))
    hop = int(round(config.hop_s / FRAME_S))
    min_len = int(round(config.min_window_s / FRAME_S))
    out: list[tuple[int, int]] = []
    for r in regions:
        a, b = int(r.start_s / FRAME_S), min(n_frames, int(np.ceil(r.end_s / FRAME_S)))
        if b - a < min_len:
            continue
        if b - a <= win:
            out.append((a, b))
            continue
        starts = list(range(a, b - win + 1, hop))
        if starts[-1] + win < b:
            starts.append(b - win)
        out.extend((s, s + win) for s in starts)
    return out


def _single(regions: list[Region], confidence: float) -> list[Turn]:
    return [Turn(r.start_s, r.end_s, 0, round(confidence, 3)) for r in regions if r.end_s > r.start_s]


def diarize(samples: np.ndarray, sample_rate: int, regions: list[Region],
            config: DiarizeConfig = DiarizeConfig(), encoder: WindowEncoder | None = None) -> list[Turn]:
    """Split the VAD speech `regions` of a mono call into turns of two speakers (0 and 1)."""
    return diarize_call(samples, sample_rate, regions, config, encoder).turns


def diarize_call(samples: np.ndarray, sample_rate: int, regions: list[Region],
                 config: DiarizeConfig = DiarizeConfig(), encoder: WindowEncoder | None = None) -> Diarization:
    """Turns and cluster voices of a mono call (see the module docstring for the method)."""
    if config.method == "mfcc":
        return Diarization(_diarize_mfcc(samples, sample_rate, regions, config))
    if encoder is None:
        from callqa.pipeline.speaker_encoder import default_speaker_encoder

        encoder = default_speaker_encoder()
    return _diarize_embeddings(samples, sample_rate, regions, config, encoder)


def _speech_frames(regions: list[Region], n: int) -> np.ndarray:
    speech = np.zeros(n, dtype=bool)
    for r in regions:
        speech[int(r.start_s / FRAME_S):int(np.ceil(r.end_s / FRAME_S))] = True
    return speech


def _diarize_embeddings(samples: np.ndarray, sample_rate: int, regions: list[Region], config: DiarizeConfig,
                        encoder: WindowEncoder) -> Diarization:
    regions = sorted((r for r in regions if r.end_s > r.start_s), key=lambda r: r.start_s)
    if not regions:
        return Diarization([], None, encoder.name)
    n = int(np.ceil(len(samples) / sample_rate / FRAME_S)) + 1
    if _speech_frames(regions, n).sum() < 10:
        return Diarization(_single(regions, 0.0), None, encoder.name)
    wins = _windows(regions, n, config)
    if len(wins) < 4:
        return Diarization(_single(regions, 0.1), None, encoder.name)
    idx = np.array(wins)
    emb = encoder.embed_windows(samples, sample_rate, [(a * FRAME_S, b * FRAME_S) for a, b in wins])
    labels, _ = two_means(emb)
    for _ in range(max(1, config.refine_iters)):
        if np.bincount(labels, minlength=2).min() == 0:
            break
        centroids = _unit(np.stack([emb[labels == k].mean(0) for k in (0, 1)]))
        sims = emb @ centroids.T
        new = (sims[:, 1] > sims[:, 0]).astype(int)
        if np.array_equal(new, labels):
            break
        labels = new
    sizes = np.bincount(labels, minlength=2)
    if sizes.min() < max(2, 0.03 * len(emb)):
        one = _unit(emb.mean(0, keepdims=True))
        return Diarization(_single(regions, 0.1), np.vstack([one, one]), encoder.name)
    centroids = _unit(np.stack([emb[labels == k].mean(0) for k in (0, 1)]))
    alike = float(centroids[0] @ centroids[1])
    if alike >= config.one_speaker_cos and _glr(samples, sample_rate, regions, idx, labels, config) < config.one_speaker_glr:
        one = _unit(emb.mean(0, keepdims=True))
        confidence = 0.3 * (1 - alike) / max(1e-6, 1 - config.one_speaker_cos)
        return Diarization(_single(regions, min(0.3, confidence)), np.vstack([one, one]), encoder.name, 1 - alike)
    sims = emb @ centroids.T
    margin = sims[:, 0] - sims[:, 1]                     # >0: speaker 0
    turns = _turns_from_margins(regions, idx, margin, n, config, mark_overlap=True)
    first_is_zero = not turns or turns[0].speaker == 0
    turns = _relabel(turns)
    if not first_is_zero:
        centroids = centroids[::-1].copy()
    return Diarization(turns, centroids, encoder.name, 1 - alike)


def _glr(samples: np.ndarray, sample_rate: int, regions: list[Region], idx: np.ndarray, labels: np.ndarray,
         config: DiarizeConfig) -> float:
    """How much better two Gaussians over the call's MFCCs explain this split than one (per frame)."""
    feats = _features(samples, sample_rate, config)
    speech = _speech_frames(regions, len(feats))
    mean, std = feats[speech].mean(0), feats[speech].std(0) + 1e-8
    feats -= mean                    # in place: on a long call the features are the biggest array here
    feats /= std
    idx = np.minimum(idx, len(feats))
    if len(idx) > MAX_GLR_WINDOWS:   # a statistic per frame: an even sample of windows gives it
        keep = np.linspace(0, len(idx) - 1, MAX_GLR_WINDOWS).round().astype(int)
        idx, labels = idx[keep], labels[keep]
    return _refine(feats, idx, labels, 0)[1]


def two_means(x: np.ndarray, n_init: int = 5, seed: int = 0, iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """k-means with two clusters (k-means++ starts, the best of `n_init` by inertia): (labels, centres).

    Written out rather than sklearn's KMeans: importing scikit-learn costs a diarizing worker 76 MB
    (measured), and two centres over a few thousand rows are a few lines of numpy."""
    x = np.asarray(x, dtype=np.float64)
    norms = (x ** 2).sum(1)
    rng = np.random.default_rng(seed)

    def squared(centres: np.ndarray) -> np.ndarray:   # (rows, 2) squared distances, no (rows, 2, dim) array
        return np.maximum(norms[:, None] - 2 * x @ centres.T + (centres ** 2).sum(1)[None, :], 0.0)

    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(n_init):
        first = x[rng.integers(len(x))]
        d2 = squared(first[None, :])[:, 0]
        second = x[rng.choice(len(x), p=d2 / d2.sum())] if d2.sum() > 0 else first
        centres = np.stack([first, second])
        for _ in range(iters):
            labels = squared(centres).argmin(1)
            moved = np.stack([x[labels == k].mean(0) if (labels == k).any() else centres[k] for k in (0, 1)])
            if np.allclose(moved, centres):
                break
            centres = moved
        dist = squared(centres)
        labels = dist.argmin(1)
        inertia = float(dist[np.arange(len(x)), labels].sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels, centres)
    return best[1], best[2]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)


def _diarize_mfcc(samples: np.ndarray, sample_rate: int, regions: list[Region],
                  config: DiarizeConfig) -> list[Turn]:
    regions = sorted((r for r in regions if r.end_s > r.start_s), key=lambda r: r.start_s)
    if not regions:
        return []
    feats = _features(samples, sample_rate, config)
    n = len(feats)
    speech = _speech_frames(regions, n)
    if speech.sum() < 10:
        return _single(regions, 0.0)
    mu, sd = feats[speech].mean(0), feats[speech].std(0) + 1e-8
    feats = (feats - mu) / sd
    wins = _windows(regions, n, config)
    if len(wins) < 4:
        return _single(regions, 0.1)
    cs = np.vstack([np.zeros((1, feats.shape[1])), np.cumsum(feats, 0)])
    cs2 = np.vstack([np.zeros((1, feats.shape[1])), np.cumsum(feats ** 2, 0)])
    idx = np.array(wins)
    lens = (idx[:, 1] - idx[:, 0])[:, None]
    means = (cs[idx[:, 1]] - cs[idx[:, 0]]) / lens
    stds = np.sqrt(np.maximum((cs2[idx[:, 1]] - cs2[idx[:, 0]]) / lens - means ** 2, 0.0))
    x = np.hstack([means, stds])
    x = (x - x.mean(0)) / (x.std(0) + 1e-8)
    labels, centres = two_means(x)
    d = np.linalg.norm(x[:, None, :] - centres[None, :, :], axis=2)   # distances to both centres
    sizes = np.bincount(labels, minlength=2)
    separation = _refine(feats, idx, labels, 0)[1]       # two-vs-one Gaussian likelihood ratio per frame
    if separation < config.one_speaker_glr or sizes.min() < max(2, 0.03 * len(x)):
        return _single(regions, min(0.3, 0.3 * separation / max(config.one_speaker_glr, 1e-8)))
    margin = (d[:, 1] - d[:, 0]) / (d[:, 0] + d[:, 1] + 1e-8)    # >0: speaker 0
    if config.refine_iters:
        margin = _refine(feats, idx, labels, config.refine_iters)[0]
    return _relabel(_turns_from_margins(regions, idx, margin, n, config))


def _turns_from_margins(regions: list[Region], idx: np.ndarray, margin: np.ndarray, n: int,
                        config: DiarizeConfig, mark_overlap: bool = False) -> list[Turn]:
    """Spread window margins over frames (the average of the windows covering each frame),
    smooth them, and cut each VAD region into runs of one label."""
    # spread window margins over frames (average of the windows covering each frame)
    acc, cnt = np.zeros(n + 1), np.zeros(n + 1)
    np.add.at(acc, idx[:, 0], margin)
    np.add.at(acc, idx[:, 1], -margin)
    np.add.at(cnt, idx[:, 0], 1.0)
    np.add.at(cnt, idx[:, 1], -1.0)
    acc, cnt = np.cumsum(acc)[:n], np.cumsum(cnt)[:n]
    k = max(1, int(round(config.smooth_s / FRAME_S)))
    kern = np.ones(k)
    acc_s = np.convolve(acc, kern, mode="same")
    cnt_s = np.convolve(cnt, kern, mode="same")
    frame_margin = np.where(cnt_s > 0, acc_s / np.maximum(cnt_s, 1e-8), np.nan)
    scale = float(np.median(np.abs(margin))) + 1e-8
    turns: list[Turn] = []
    for r in regions:
        a, b = int(r.start_s / FRAME_S), max(int(r.start_s / FRAME_S) + 1, min(n, int(np.ceil(r.end_s / FRAME_S))))
        m = frame_margin[a:b]
        if np.all(np.isnan(m)):
            # too short for its own window: nearest covered frame decides
            covered = np.flatnonzero(~np.isnan(frame_margin))
            j = covered[np.argmin(np.abs(covered - (a + b) // 2))]
            m = np.full(b - a, frame_margin[j] * 0.5)
        else:
            m = _fill_nan(m)
        turns.extend(_region_turns(r, a, m, scale, config, mark_overlap))
    return turns


def _refine(feats: np.ndarray, idx: np.ndarray, labels: np.ndarray, iters: int) -> tuple[np.ndarray, float]:
    """Re-assign windows by frame log-likelihood under one full-covariance Gaussian per speaker.

    Returns the per-window mean log-likelihood ratio (>0: speaker 0) and the per-frame
    generalised likelihood ratio of two speakers against one (small: probably one speaker).
    """
    lens = idx[:, 1] - idx[:, 0]
    llr = np.zeros(len(idx))
    for _ in range(iters):
        ll = []
        for k in (0, 1):
            mask = np.zeros(len(feats), dtype=bool)
            for a, b in idx[labels == k]:
                mask[a:b] = True
            z = feats[mask]
            mu = z.mean(0)
            cov = np.cov(z.T) + 1e-3 * np.eye(z.shape[1])
            inv = np.linalg.inv(cov)
            diff = feats - mu
            ll.append(-0.5 * (np.einsum("ij,jk,ik->i", diff, inv, diff) + np.linalg.slogdet(cov)[1]))
        frame = ll[0] - ll[1]
        cs = np.concatenate([[0.0], np.cumsum(frame)])
        llr = (cs[idx[:, 1]] - cs[idx[:, 0]]) / lens
        new = (llr < 0).astype(int)
        if np.bincount(new, minlength=2).min() < 2 or np.array_equal(new, labels):
            break
        labels = new
    masks = []
    for k in (0, 1):
        mask = np.zeros(len(feats), dtype=bool)
        for a, b in idx[labels == k]:
            mask[a:b] = True
        masks.append(mask)
    both = masks[0] | masks[1]
    ld = [np.linalg.slogdet(np.cov(feats[m].T) + 1e-3 * np.eye(feats.shape[1]))[1] for m in (both, *masks)]
    w = [m.sum() / both.sum() for m in masks]
    glr = 0.5 * (ld[0] - w[0] * ld[1] - w[1] * ld[2])
    return llr, float(glr)


def _fill_nan(m: np.ndarray) -> np.ndarray:
    good = ~np.isnan(m)
    if good.all():
        return m
    pos = np.arange(len(m))
    return np.interp(pos, pos[good], m[good])


def _region_turns(r: Region, a: int, m: np.ndarray, scale: float, config: DiarizeConfig,
                  mark_overlap: bool = False) -> list[Turn]:
    """Runs of one label inside one VAD region, short runs absorbed into their longer neighbour;
    with `mark_overlap`, frames whose margin is within the overlap band form overlap runs."""
    lab = (m < 0).astype(int)
    if mark_overlap:
        lab[np.abs(m) < config.overlap_margin * scale] = 2
    min_len = int(round(config.min_turn_s / FRAME_S))
    runs = _runs(lab)
    while len(runs) > 1:
        shortest = min(range(len(runs)), key=lambda i: runs[i][2] - runs[i][1])
        _, s0, s1 = runs[shortest]
        if s1 - s0 >= min_len:
            break
        neighbours = [runs[j] for j in (shortest - 1, shortest + 1) if 0 <= j < len(runs)]
        lab[s0:s1] = max(neighbours, key=lambda run: run[2] - run[1])[0]
        runs = _runs(lab)
    out = []
    for label, s0, s1 in runs:
        start = r.start_s if s0 == 0 else round((a + s0) * FRAME_S, 3)
        end = r.end_s if s1 == len(lab) else round((a + s1) * FRAME_S, 3)
        conf = float(np.clip(np.mean(np.abs(m[s0:s1])) / (2 * scale), 0.0, 1.0))
        speaker = int(label) if label < 2 else int(np.mean(m[s0:s1]) < 0)
        out.append(Turn(round(start, 3), round(end, 3), speaker, round(conf, 3), overlap=label == 2))
    return out


def _runs(lab: np.ndarray) -> list[tuple[int, int, int]]:
    edges = np.flatnonzero(np.diff(lab)) + 1
    bounds = np.concatenate([[0], edges, [len(lab)]])
    return [(int(lab[s]), int(s), int(e)) for s, e in zip(bounds[:-1], bounds[1:])]


def _relabel(turns: list[Turn]) -> list[Turn]:
    """Speaker 0 is whoever speaks first."""
    if not turns or turns[0].speaker == 0:
        return turns
    return [Turn(t.start_s, t.end_s, 1 - t.speaker, t.confidence, t.overlap) for t in turns]


# --- evaluation ----------------------------------------------------------------------------


def der(reference: dict[int, list[tuple[float, float]]], hypothesis: list[Turn], collar_s: float = 0.25,
        step_s: float = 0.01) -> float:
    """Diarization error rate, (missed + false alarm + confusion) / reference speech, on 10 ms frames.

    `reference` maps each reference speaker to its (start, end) intervals (they may overlap).
    Frames within `collar_s` of any reference boundary are not scored. The hypothesis's two
    labels are mapped to the reference speakers by the best of the two mappings.
    """
    end = max([e for iv in reference.values() for _, e in iv] + [t.end_s for t in hypothesis] + [0.0])
    n = int(np.ceil(end / step_s)) + 1
    spk = sorted(reference)
    ref = np.zeros((max(2, len(spk)), n), dtype=bool)
    scored = np.ones(n, dtype=bool)
    c = int(round(collar_s / step_s))
    for i, s in enumerate(spk):
        for a, b in reference[s]:
            ia, ib = int(round(a / step_s)), int(round(b / step_s))
            ref[i, ia:ib] = True
            for edge in (ia, ib):
                scored[max(0, edge - c):edge + c] = False
    hyp = np.zeros((2, n), dtype=bool)
    for t in hypothesis:
        hyp[t.speaker, int(round(t.start_s / step_s)):int(round(t.end_s / step_s))] = True
    total = ref[:, scored].sum()
    if total == 0:
        return 0.0
    best = np.inf
    for perm in ([0, 1], [1, 0]):
        h = np.zeros_like(ref)
        for hi, ri in enumerate(perm):
            h[ri] |= hyp[hi]
        n_ref = ref.sum(0)
        n_hyp = h.sum(0)
        correct = (ref & h).sum(0)
        err = np.maximum(n_ref, n_hyp) - correct       # NIST: miss + fa + confusion per frame
        best = min(best, err[scored].sum())
    return float(best / total)
