"""Voice activity per channel with webrtcvad, smoothed into speech regions, and the silences
between them.

webrtcvad decides per 10/20/30 ms frame of 16-bit PCM; raw decisions flicker, so a majority
filter, a minimum speech length and a merge gap turn them into utterance-like regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import webrtcvad

from callqa.pipeline.config import VADConfig

VALID_FRAME_MS = (10, 20, 30)
VALID_RATES = (8000, 16000, 32000, 48000)
BLOCK_FRAMES = 2000   # frames judged per read: 60 s of 30 ms frames


@dataclass(frozen=True)
class Region:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def frame_decisions(samples: np.ndarray, sample_rate: int, config: VADConfig) -> np.ndarray:
    """Raw per-frame speech decisions (bool array), with an energy floor against line hiss."""
    if config.frame_ms not in VALID_FRAME_MS:
        raise ValueError(f"webrtcvad frames must be 10, 20 or 30 ms, not {config.frame_ms}")
    if sample_rate not in VALID_RATES:
        raise ValueError(f"webrtcvad needs 8/16/32/48 kHz audio, not {sample_rate} Hz")
    if not 0 <= config.aggressiveness <= 3:
        raise ValueError(f"webrtcvad aggressiveness is 0-3, not {config.aggressiveness}")
    frame_len = sample_rate * config.frame_ms // 1000
    n_frames = len(samples) // frame_len
    vad = webrtcvad.Vad(config.aggressiveness)
    decisions = np.zeros(n_frames, dtype=bool)
    # A block at a time, so a long call (a callqa.pipeline.audio.Channel on disk) is never all in memory.
    for first in range(0, n_frames, BLOCK_FRAMES):
        count = min(BLOCK_FRAMES, n_frames - first)
        frames = np.asarray(samples[first * frame_len:(first + count) * frame_len]).reshape(count, frame_len)
        pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
        rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-12
        loud = 20 * np.log10(rms) > config.energy_floor_dbfs
        for i in np.flatnonzero(loud):
            decisions[first + i] = vad.is_speech(pcm[i].tobytes(), sample_rate)
    return decisions


def smooth(decisions: np.ndarray, window: int) -> np.ndarray:
    """Majority vote over a centred window of frames."""
    if window <= 1 or len(decisions) == 0:
        return decisions.copy()
    kernel = np.ones(window)
    votes = np.convolve(decisions.astype(float), kernel, mode="same")
    return votes * 2 > window


def regions_from_frames(decisions: np.ndarray, frame_s: float) -> list[Region]:
    padded = np.concatenate([[False], decisions, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [Region(round(float(s) * frame_s, 3), round(float(e) * frame_s, 3)) for s, e in zip(starts, ends)]


def merge_regions(regions: list[Region], max_gap_s: float) -> list[Region]:
    merged: list[Region] = []
    for region in sorted(regions, key=lambda r: r.start_s):
        if merged and region.start_s - merged[-1].end_s <= max_gap_s:
            merged[-1] = Region(merged[-1].start_s, max(merged[-1].end_s, region.end_s))
        else:
            merged.append(region)
    return merged


def speech_regions(samples: np.ndarray, sample_rate: int, config: VADConfig = VADConfig()) -> list[Region]:
    """When this channel's party is speaking."""
    frame_s = config.frame_ms / 1000
    decisions = smooth(frame_decisions(samples, sample_rate, config), config.smooth_frames)
    regions = merge_regions(regions_from_frames(decisions, frame_s), config.merge_gap_s)
    regions = [r for r in regions if r.duration_s >= config.min_speech_s]
    duration = len(samples) / sample_rate
    return [Region(round(max(0.0, r.start_s - config.pad_s), 3), round(min(duration, r.end_s + config.pad_s), 3))
            for r in regions]


def find_silences(timelines: dict[str, list[Region]], min_silence_s: float) -> list[Region]:
    """Gaps of at least `min_silence_s` where no party speaks, between the first and last speech.

    Time before anyone speaks (ringing, connection) and after the last word is not a silence
    the caller sat through, so it is not reported.
    """
    union = merge_regions([r for regions in timelines.values() for r in regions], 0.0)
    return [Region(a.end_s, b.start_s) for a, b in zip(union, union[1:]) if b.start_s - a.end_s >= min_silence_s]


def speaker_at(timelines: dict[str, list[Region]], after_s: float) -> str | None:
    """Which party's speech begins first at or after `after_s` (None if nobody speaks again)."""
    best: tuple[float, str] | None = None
    for speaker, regions in timelines.items():
        for region in regions:
            if region.end_s > after_s:
                start = max(region.start_s, after_s)
                if best is None or start < best[0]:
                    best = (start, speaker)
                break
    return best[1] if best else None
