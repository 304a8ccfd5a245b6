"""Voice activity against real speech/non-speech labels, and silence finding."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from callqa.pipeline.config import VADConfig
from callqa.pipeline.vad import Region, find_silences, frame_decisions, speaker_at, speech_regions


def labelled_windows(real_dir):
    """(audio, sample_rate, window start, window end, speech intervals) from the speechbrain labels."""
    out = []
    for name, label in (("train", "VAD_train.json"), ("valid", "VAD_dev.json")):
        audio, rate = sf.read(real_dir / "vad" / f"{name}.wav", dtype="float32")
        for example in json.loads((real_dir / "vad" / label).read_text()).values():
            start, stop = example["wav"]["start"] / rate, example["wav"]["stop"] / rate
            values = [float(v) for v in example["speech"].split()]
            out.append((audio, rate, start, stop, [(start + a, start + b) for a, b in zip(values[::2], values[1::2])]))
    return out


def test_vad_agrees_with_real_labels(real_dir):
    step = 0.01
    agree = total = 0
    missed_speech = 0.0
    for audio, rate, start, stop, truth in labelled_windows(real_dir):
        regions = speech_regions(audio, rate, VADConfig())
        for t in np.arange(start, stop, step):
            expected = any(a <= t < b for a, b in truth)
            got = any(r.start_s <= t < r.end_s for r in regions)
            agree += expected == got
            total += 1
            missed_speech += step if expected and not got else 0.0
    accuracy = agree / total
    print(f"\nVAD frame agreement with the speechbrain labels: {accuracy:.3f} over {total * step:.0f} s; "
          f"speech missed {missed_speech:.2f} s")
    # Labels are hand-placed to ~50 ms; 0.9 allows boundary jitter, not missed utterances.
    assert accuracy >= 0.90
    assert missed_speech <= 0.3


def test_silences_match_labelled_gaps(real_dir):
    """Every labelled pause of 0.4 s or more is found as a silence, with edges within 0.15 s."""
    audio, rate = sf.read(real_dir / "vad" / "train.wav", dtype="float32")
    regions = speech_regions(audio[:32000], rate, VADConfig())
    silences = find_silences({"unknown": regions}, 0.4)
    # VAD_train example_1: speech 0.52-0.85 and 1.32-1.83, so a 0.47 s pause at 0.85-1.32.
    assert len(silences) == 1
    assert silences[0].start_s == pytest.approx(0.85, abs=0.15)
    assert silences[0].end_s == pytest.approx(1.32, abs=0.15)


def test_silence_in_speech_is_found_and_noise_is_not_speech(real_dir):
    audio, rate = sf.read(real_dir / "harvard" / "spk1_snt1.wav", dtype="float32")
    noise = np.random.default_rng(0).normal(0, 10 ** (-60 / 20), rate * 6).astype(np.float32)
    call = np.concatenate([audio, noise, audio])
    regions = speech_regions(call, rate)
    silences = find_silences({"caller": regions}, 3.0)
    assert len(silences) == 1
    gap_start, gap_end = len(audio) / rate, len(audio) / rate + 6
    assert silences[0].start_s == pytest.approx(gap_start, abs=0.6)
    assert silences[0].end_s == pytest.approx(gap_end, abs=0.3)


def test_silences_are_where_nobody_speaks():
    timelines = {"handler": [Region(0, 2), Region(10, 12)], "caller": [Region(3, 5), Region(20, 22)]}
    silences = find_silences(timelines, 3.0)
    assert [(s.start_s, s.end_s) for s in silences] == [(5, 10), (12, 20)]
    assert find_silences(timelines, 6.0) == [Region(12, 20)]
    assert speaker_at(timelines, 5) == "handler"
    assert speaker_at(timelines, 12) == "caller"
    assert speaker_at(timelines, 30) is None


def test_frame_size_and_rate_are_checked():
    from callqa.pipeline.errors import CallQAError

    with pytest.raises(CallQAError, match="vad.frame_ms: expected one of 10, 20, 30"):  # where the config loads
        frame_decisions(np.zeros(16000, np.float32), 16000, VADConfig(frame_ms=25))
    with pytest.raises(ValueError, match="8/16/32/48 kHz"):
        frame_decisions(np.zeros(22050, np.float32), 22050, VADConfig())


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_every_valid_frame_size_finds_the_speech(real_dir, frame_ms):
    audio, rate = sf.read(real_dir / "harvard" / "spk2_snt1.wav", dtype="float32")
    regions = speech_regions(audio, rate, VADConfig(frame_ms=frame_ms))
    speech = sum(r.duration_s for r in regions)
    assert 0.5 * len(audio) / rate < speech <= len(audio) / rate
