"""Peak memory of one `callqa analyze` worker against call length (issue 17: flat in call length).

    python bench/bench_memory.py [--minutes 5 30 120 240] [--block-s 300] [--bare 5 30] [--layout mono]

Each call is the bundled sample calls joined end to end (one stereo 8 kHz mu-law file, both
parties talking as in the samples, so speech grows with length) and repeated up to the length.
Each length runs `callqa analyze CALL --out OUT` in a fresh process; its peak RSS comes from
os.wait4 (the kernel's ru_maxrss for that process alone). Target: under 600 MB at every length.

`--bare M ...` also runs what a user would run instead at those lengths: faster-whisper (same
model, int8, 1 thread) over each full channel, whose features and buffers grow with the audio.
`--block-s` sets [stt] block_s, the packed speech given to the engine at once (3600 shows the
growth callqa had before decoding in blocks). `--code DIR` runs another checkout's callqa (for
example `git worktree add /tmp/old 5897e88`, the last commit that held whole calls in memory).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 600


def long_call(target: Path, minutes: float) -> Path:
    """The sample calls joined, repeated to `minutes`, written block by block (never all in memory)."""
    parts = [sf.read(p, dtype="float32")[0] for p in sorted((ROOT / "sample_audio").glob("*.wav"))]
    gap = np.zeros((8000, 2), dtype=np.float32)
    one = np.concatenate([x for p in parts for x in (p, gap)])
    frames = int(minutes * 60 * 8000)
    with sf.SoundFile(target, "w", 8000, 2, subtype="ULAW") as out:
        written = 0
        while written < frames:
            piece = one[: frames - written]
            out.write(piece)
            written += len(piece)
    return target


def peak_rss_mb(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit status) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return usage.ru_maxrss / 1024, wall, proc.returncode


BARE = """
import sys, soundfile as sf, soxr, numpy as np
from faster_whisper import WhisperModel
from callqa.models.weights import resolve_model
model = WhisperModel(str(resolve_model("tiny.en")), device="cpu", compute_type="int8", cpu_threads=1)
audio, rate = sf.read(sys.argv[1], dtype="float32")
for side in range(audio.shape[1]):
    channel = soxr.resample(np.ascontiguousarray(audio[:, side]), rate, 16000)
    for _ in model.transcribe(channel, language="en", beam_size=1, word_timestamps=True,
                              condition_on_previous_text=False)[0]:
        pass
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[5, 30, 120, 240])
    parser.add_argument("--block-s", type=float, default=None, help="[stt] block_s (default: the shipped one)")
    parser.add_argument("--bare", type=float, nargs="*", default=[], help="lengths to also run bare faster-whisper at")
    parser.add_argument("--layout", default=None, help="e.g. mono: the two sides mixed, diarized by voice")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose callqa runs (default: this one)")
    args = parser.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    print(f"{'contender':<34} {'minutes':>7} {'peak RSS MB':>12} {'wall s':>8} {'audio s/wall s':>15}")
    with tempfile.TemporaryDirectory(prefix="callqa-mem-") as tmp:
        tmp_path = Path(tmp)
        config = []
        if args.block_s is not None:
            (tmp_path / "callqa.toml").write_text(f"[stt]\nblock_s = {args.block_s}\n")
            config = ["--config", str(tmp_path / "callqa.toml")]
        label = f"callqa analyze (block_s {args.block_s or 'default'})" + (f" {args.layout}" if args.layout else "")
        if args.code.resolve() != ROOT:
            label = f"callqa analyze at {args.code.name}"
        worst = 0.0
        for minutes in args.minutes:
            call = long_call(tmp_path / f"call-{minutes:g}min.wav", minutes)
            out = tmp_path / f"out-{minutes:g}"
            cmd = [sys.executable, "-m", "callqa.cli", "analyze", str(call), "--out", str(out), *config,
                   *(["--layout", args.layout] if args.layout else [])]
            rss, wall, code = peak_rss_mb(cmd, env, cwd=args.code.resolve())
            worst = max(worst, rss)
            print(f"{label:<34} {minutes:>7g} {rss:>12.0f} {wall:>8.1f} {minutes * 60 / wall:>15.1f}"
                  + ("" if code == 0 else f"  exit {code}"), flush=True)
            if minutes in args.bare:
                rss, wall, code = peak_rss_mb([sys.executable, "-c", BARE, str(call)], {**env, "PYTHONPATH": str(ROOT)})
                print(f"{'bare faster-whisper, full channels':<34} {minutes:>7g} {rss:>12.0f} {wall:>8.1f} "
                      f"{minutes * 60 / wall:>15.1f}" + ("" if code == 0 else f"  exit {code}"), flush=True)
            call.unlink()
        print(f"worst callqa peak {worst:.0f} MB; target under {TARGET_MB} MB: {'met' if worst < TARGET_MB else 'NOT met'}")


if __name__ == "__main__":
    main()
