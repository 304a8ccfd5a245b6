"""Run an engine over one channel: only where the VAD heard speech, with loop guards.

Speech regions are padded, merged and packed end to end (as faster-whisper's own VAD filter
does), decoded in one pass, and every word time is mapped back to the original timeline. Long
silences and hold periods therefore cost no decoding time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from callqa.pipeline.config import STTConfig
from callqa.pipeline.stt.base import Progress, SpeechEngine
from callqa.pipeline.transcript import Segment, Word, segment_from_words, split_words
from callqa.pipeline.vad import Region, merge_regions


@dataclass(frozen=True)
class Chunk:
    """A stretch of the original audio and where it sits in the packed audio."""

    start_s: float
    end_s: float
    packed_start_s: float


def gate_chunks(regions: list[Region], duration_s: float, config: STTConfig) -> list[Chunk]:
    padded = [Region(max(0.0, r.start_s - config.gate_pad_s), min(duration_s, r.end_s + config.gate_pad_s))
              for r in regions]
    chunks: list[Chunk] = []
    offset = 0.0
    for region in merge_regions(padded, config.gate_merge_gap_s):
        chunks.append(Chunk(region.start_s, region.end_s, offset))
        offset += region.end_s - region.start_s
    return chunks


def blocks_of(chunks: list[Chunk], block_s: float, audio: np.ndarray | None = None,
              sample_rate: int = 16000) -> list[list[Chunk]]:
    """Group chunks into decoding blocks of at most `block_s` packed seconds, each with its own
    packed times, so memory stays bounded however long the call (the engine's features and
    buffers grow with the audio it is given). A chunk longer than a block is cut at its quietest
    moment in the block's last tenth when `audio` is given, so few words are split."""
    groups: list[list[Chunk]] = []
    current: list[Chunk] = []
    offset = 0.0
    for chunk in chunks:
        if current and offset + (chunk.end_s - chunk.start_s) > block_s:
            groups.append(current)
            current, offset = [], 0.0
        start = chunk.start_s
        while chunk.end_s - start > block_s:
            cut = _quiet_cut(audio, sample_rate, start + 0.9 * block_s, start + block_s)
            groups.append([Chunk(start, cut, 0.0)])
            start = cut
        current.append(Chunk(start, chunk.end_s, offset))
        offset += chunk.end_s - start
    if current:
        groups.append(current)
    return groups


def _quiet_cut(audio: np.ndarray | None, sample_rate: int, lo_s: float, hi_s: float, frame_s: float = 0.1) -> float:
    """The start of the quietest `frame_s` between lo_s and hi_s (hi_s without audio)."""
    if audio is None:
        return hi_s
    frame = int(frame_s * sample_rate)
    clip = np.asarray(audio[int(lo_s * sample_rate):int(hi_s * sample_rate)])
    n = len(clip) // frame
    if n < 2:
        return hi_s
    energy = (clip[:n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1)
    return lo_s + int(np.argmin(energy)) * frame_s


def pack(audio: np.ndarray, sample_rate: int, chunks: list[Chunk]) -> np.ndarray:
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([audio[int(c.start_s * sample_rate): int(c.end_s * sample_rate)] for c in chunks])


def chunk_index(t: float, chunks: list[Chunk]) -> int:
    for i in range(len(chunks) - 1, -1, -1):
        if t >= chunks[i].packed_start_s:
            return i
    return 0


def to_original(t: float, chunks: list[Chunk], index: int | None = None) -> float:
    """Map a time in the packed audio back to the original recording (within chunk `index`)."""
    chunk = chunks[chunk_index(t, chunks) if index is None else index]
    return min(max(chunk.start_s + (t - chunk.packed_start_s), chunk.start_s), chunk.end_s)


def _norm(token: str) -> str:
    return re.sub(r"[^\w']", "", token.lower())


def collapse_repetitions(words: list[Word], max_repeats: int, max_n: int = 8) -> tuple[list[Word], int]:
    """Drop n-grams repeated back to back more than `max_repeats` times (a decoder loop).

    Whisper can lock into "thank you thank you thank you ..." on noise or hold music; a human
    says a phrase twice, perhaps three times, never ten.
    """
    removed = 0
    out = list(words)
    for n in range(1, max_n + 1):
        i = 0
        while i + n <= len(out):
            gram = [_norm(w.text) for w in out[i:i + n]]
            j = i + n
            repeats = 1
            while j + n <= len(out) and [_norm(w.text) for w in out[j:j + n]] == gram:
                repeats += 1
                j += n
            if repeats > max_repeats and any(gram):
                keep_until = i + n * max_repeats
                removed += j - keep_until
                del out[keep_until:j]
            i += 1
    return out, removed


@dataclass
class ChannelTranscript:
    segments: list[Segment]
    decoded_s: float          # seconds of audio actually given to the engine
    repetitions_removed: int  # words dropped by the loop guard


def transcribe_channel(engine: SpeechEngine, audio: np.ndarray, sample_rate: int, speaker: str,
                       regions: list[Region] | None, config: STTConfig,
                       progress: Progress | None = None, max_pause_s: float = 1.5) -> ChannelTranscript:
    """Transcribe one party; `regions=None` (or gate "none") decodes the whole channel."""
    duration = len(audio) / sample_rate
    if config.gate == "none" or regions is None:
        chunks = [Chunk(0.0, duration, 0.0)]
    elif config.gate == "vad":
        chunks = gate_chunks(regions, duration, config)
    else:
        raise ValueError(f"unknown gate {config.gate!r}; use 'vad' or 'none'")
    words: list[Word] = []
    decoded = 0.0
    for block in blocks_of(chunks, config.block_s, audio, sample_rate):
        packed = pack(audio, sample_rate, block)
        report = None
        if progress:
            def report(t: float, before: float = decoded) -> None:
                progress(before + t)
        raw = engine.transcribe(packed, sample_rate, report) if len(packed) else []
        words += _original_words(raw, block)
        decoded += len(packed) / sample_rate
        del packed
    words, removed = collapse_repetitions(words, config.max_ngram_repeats)
    segments = [segment_from_words(speaker, group) for group in split_words(words, max_pause_s)]
    return ChannelTranscript(segments, decoded, removed)


def _original_words(raw: list[Segment], chunks: list[Chunk]) -> list[Word]:
    """The engine's words, timed on the original recording."""
    words: list[Word] = []
    for seg in raw:
        seg_words = seg.words or [Word(seg.text, seg.start_s, seg.end_s, 0.0)]
        for w in seg_words:
            if not w.text.strip():
                continue
            # A word straddling two packed chunks must not stretch across the gap between them.
            index = chunk_index(w.start_s, chunks)
            start, end = to_original(w.start_s, chunks, index), to_original(w.end_s, chunks, index)
            words.append(Word(w.text, start, max(start, end), w.probability))
    return words
