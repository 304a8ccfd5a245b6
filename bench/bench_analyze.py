"""Whole-pipeline speed against bare transcription of the full channels, on one core.

    python bench/bench_analyze.py [--audio CALL.wav] [--model tiny.en] [--repeat 3]

Default audio: every sample call joined into one long stereo call. Each side runs in a fresh
process pinned to CPU 0, so both pay for interpreter start, imports and model load:
  pipeline = `callqa analyze CALL` (decode, VAD, gated speech-to-text, indicators, JSON)
  bare     = faster-whisper on each full channel, same model and decoding options, no VAD.
Prints wall times, their ratio, the real-time factor (call seconds per wall second) and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def joined_samples(target: Path) -> Path:
    parts = [sf.read(p, dtype="float32")[0] for p in sorted((ROOT / "sample_audio").glob("*.wav"))]
    gap = np.zeros((8000, 2), dtype=np.float32)
    audio = np.concatenate([x for p in parts for x in (p, gap)])
    sf.write(target, audio, 8000, subtype="ULAW")
    return target


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def worker_pipeline(audio: str, model: str) -> dict:
    from callqa.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        code = main(["analyze", audio, "--model", model, "--out", str(Path(tmp) / "r.json")])
        result = json.loads((Path(tmp) / "r.json").read_text())
    return {"code": code, "flags": len(result["flags"]), "decoded_s": result["stats"]["speech_decoded_s"]}


def worker_bare(audio: str, model: str) -> dict:
    from faster_whisper import WhisperModel

    from callqa.pipeline.audio import load_call
    from callqa.pipeline.config import STTConfig
    from callqa.pipeline.stt.faster_whisper_engine import model_folder

    cfg = STTConfig()
    whisper = WhisperModel(
        str(model_folder(model)),
        device="cpu",
        compute_type=cfg.compute_type,
        cpu_threads=cfg.cpu_threads,
        num_workers=1,
    )
    call = load_call(audio)
    words = 0
    for samples in call.channels.values():
        segments, _ = whisper.transcribe(
            np.asarray(samples),
            language=cfg.language,
            beam_size=cfg.beam_size,
            word_timestamps=True,
            condition_on_previous_text=cfg.condition_on_previous_text,
        )
        words += sum(len(s.words or []) for s in segments)
    return {"words": words}


def run_worker(kind: str, audio: Path, model: str) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--audio", str(audio), "--model", model],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audio")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=["pipeline", "bare"])
    args = parser.parse_args()
    if args.worker:
        pin_to_one_core()
        out = (
            worker_pipeline(args.audio, args.model)
            if args.worker == "pipeline"
            else worker_bare(args.audio, args.model)
        )
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(args.audio) if args.audio else joined_samples(Path(tmp) / "joined_samples.wav")
        duration = sf.info(str(audio)).duration
        print(
            f"audio: {audio.name}, {duration:.1f} s, {sf.info(str(audio)).channels} channel(s); model {args.model}, "
            f"int8, 1 thread, pinned to one core; best of {args.repeat}"
        )
        pipe = min((run_worker("pipeline", audio, args.model) for _ in range(args.repeat)), key=lambda r: r["wall_s"])
        bare = min((run_worker("bare", audio, args.model) for _ in range(args.repeat)), key=lambda r: r["wall_s"])
    print(
        f"callqa analyze (whole pipeline): {pipe['wall_s']:7.2f} s wall  {duration / pipe['wall_s']:6.1f}x real time  "
        f"peak {pipe['peak_rss_mb']:.0f} MB  (decoded {pipe['decoded_s']:.0f} s of {2 * duration:.0f} channel-s)"
    )
    print(
        f"bare faster-whisper, full chans: {bare['wall_s']:7.2f} s wall  {duration / bare['wall_s']:6.1f}x real time  "
        f"peak {bare['peak_rss_mb']:.0f} MB"
    )
    print(
        f"speed-up of the pipeline over bare transcription: {bare['wall_s'] / pipe['wall_s']:.2f}x "
        f"(target >= 1.5x); pipeline real-time factor {duration / pipe['wall_s']:.1f}x (target > 25x)"
    )


if __name__ == "__main__":
    main()
