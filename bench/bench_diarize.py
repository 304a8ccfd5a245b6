"""Diarization speed on mono downmixes of the sample calls, against tiny.en transcription time.

    python bench/bench_diarize.py [--no-stt]

Prints, per call and for a long concatenation of all of them: diarization seconds per minute of
audio (VAD excluded: it runs anyway), tiny.en transcription seconds per minute (int8, one
thread, beam 1, full audio) and diarization / transcription (target < 20%).
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.audio import load_call  # noqa: E402
from pipeline.diarize import diarize  # noqa: E402
from pipeline.vad import speech_regions  # noqa: E402


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-stt", action="store_true", help="skip the tiny.en comparison")
    args = ap.parse_args()
    model = None
    if not args.no_stt:
        from faster_whisper import WhisperModel

        from models.weights import resolve_model
        model = WhisperModel(str(resolve_model("tiny.en")), device="cpu", compute_type="int8", cpu_threads=1)
    mixes = {}
    for path in sorted(glob.glob(str(ROOT / "sample_audio" / "*.wav"))):
        ch = load_call(path).channels
        mixes[Path(path).stem] = ((ch["handler"] + ch["caller"]) / 2).astype(np.float32)
    mixes["ALL (concatenated)"] = np.concatenate(list(mixes.values()))
    print(f"{'call':26s} {'min':>5s} {'diar s/min':>10s} {'x RT':>6s} {'stt s/min':>9s} {'ratio':>6s}")
    for name, x in mixes.items():
        minutes = len(x) / 16000 / 60
        regions = speech_regions(x, 16000)
        d = best_of(lambda: diarize(x, 16000, regions))
        line = f"{name:26s} {minutes:5.2f} {d / minutes:10.3f} {minutes * 60 / d:6.0f}"
        if model is not None:
            def stt() -> None:
                segments, _ = model.transcribe(x, language="en", beam_size=1)
                list(segments)
            s = best_of(stt, 1)
            line += f" {s / minutes:9.2f} {100 * d / s:5.1f}%"
        print(line, flush=True)


if __name__ == "__main__":
    main()
