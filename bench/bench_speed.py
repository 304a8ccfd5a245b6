"""Side by side on one CPU core: callqa against bare faster-whisper and openai-whisper (issue 16).

    python bench/bench_speed.py [--sets sample,real] [--limit N] [--repeat R]
                                [--contenders callqa,fw-default,fw-vad,openai-whisper] [--json OUT.json]

Contenders, all on the bundled tiny.en weights, each in its own long-lived worker process pinned
(os.sched_setaffinity) to the same single core, started and warmed before anything is timed:
  callqa          `Analyzer()` with the default config (tiny.en int8, one thread, beam 1) and
                  `.analyze(path)`: the whole pipeline (decode, VAD, gated speech-to-text,
                  diarization on mono calls, sentence vectors, scoring)
  fw-default      `WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=1)` and
                  `.transcribe(channel)` with its defaults (beam 5) on every full channel
  fw-vad          the same with `vad_filter=True`
  openai-whisper  `whisper.load_model(checkpoint)` on the same weights converted from CTranslate2
                  (bench/ct2_to_openai_whisper.py, into a temporary folder before anything starts),
                  `.transcribe(channel, beam_size=5, fp16=False)`
                  on every full channel, torch.set_num_threads(1); skipped when `import whisper,
                  torch` fails (install the extra: pip install torch==2.13.0 && pip install .[openai])

Decoding is timed for everyone: every contender gets the call's path and decodes it with
`callqa.pipeline.audio.load_call` (16 kHz mono float32 per channel; both channels of a stereo
call), because `Analyzer.analyze` decodes inside its own timing too.

Word counts (words of the transcript text, every channel) show that nobody skipped work; callqa's
own stage timings (its result's stats) show where its time went.

Calls are interleaved: for each call every contender runs it in turn (fixed order), so drifts in
machine load fall on all of them alike; `--repeat R` runs the whole list R times and each call's
time is the median of its R runs. A call any contender fails on is left out of every total.
Warm-up (untimed, the same for all): a 4 s stereo call and a 4 s mono call cut from
sample_audio/good_101.wav, so lazy loads (callqa's speaker encoder for mono calls, faster-whisper's
Silero VAD) happen before timing. Start-up (process start, imports, model load) is measured for
each worker alone and printed separately.

Targets on one core with tiny.en int8: callqa at least 30x real time (call audio seconds per wall
second), at least 1.9x bare faster-whisper with defaults, at least 10x openai-whisper.

On a quiet machine: stop other work (nothing else on the pinned core: pick one with `--core`,
ideally an isolated one, and check the load average printed in the header is near zero), keep
the CPU governor at `performance` if you can, and run everything with `--repeat 3`:
    .venv/bin/python bench/bench_speed.py --repeat 3 --json bench-speed.json
On a shared machine the numbers are noisy and slow; the ratios hold up better than the
real-time factors, because interleaving spreads the noise over every contender.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_audio"
REAL = ROOT.parent / "shared" / "data" / "real"
UK = ZoneInfo("Europe/London")

CONTENDERS = ("callqa", "fw-default", "fw-vad", "openai-whisper")
LABELS = {
    "callqa": "callqa (whole pipeline)",
    "fw-default": "faster-whisper, defaults",
    "fw-vad": "faster-whisper, vad_filter",
    "openai-whisper": "openai-whisper, same weights",
}
RTF_TARGET = 30.0                                       # callqa's call seconds per wall second
SPEED_UP_TARGETS = {"fw-default": 1.9, "openai-whisper": 10.0}  # callqa's speed-up over each
SET_NAMES = {"sample": "sample calls", "real": "real recordings"}
CALLQA_STAGES = ("decode_audio_s", "vad_s", "stt_s", "attribution_s", "embed_s", "score_s",
                 "speech_decoded_s", "channel_audio_s")


@dataclass(frozen=True)
class Call:
    set: str
    path: Path
    name: str       # the path inside its set's folder
    audio_s: float


@dataclass(frozen=True)
class Startup:
    """One worker's start, measured alone on the core: `total_s` is process start to ready."""

    contender: str
    total_s: float
    imports_s: float
    load_s: float
    warmup_s: float
    cores: tuple[int, ...] = ()  # the worker's CPU affinity, as it saw it

    @property
    def process_s(self) -> float:
        return max(0.0, self.total_s - self.imports_s - self.load_s)


@dataclass(frozen=True)
class Run:
    contender: str
    set: str
    call: str
    audio_s: float
    repeat: int
    wall_s: float | None
    words: int | None
    error: str | None = None
    stages: dict[str, float] | None = None  # callqa's own stage timings (result.stats)


@dataclass(frozen=True)
class TargetCheck:
    what: str
    value: float | None
    target: float
    met: bool | None  # None: the contender it needs did not run


@dataclass
class SetSummary:
    name: str
    calls: int
    audio_s: float
    wall_s: dict[str, float] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    rtf: dict[str, float] = field(default_factory=dict)
    speed_up: dict[str, float] = field(default_factory=dict)  # callqa's over each other contender
    callqa_stages: dict[str, float] = field(default_factory=dict)  # where callqa's wall time went
    targets: list[TargetCheck] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the calls


def sample_calls() -> list[Path]:
    return sorted(SAMPLES.glob("*.wav")) + sorted((SAMPLES / "unseen").glob("*.wav"))


def real_calls(real: Path = REAL) -> list[Path]:
    files = [real / "jfk.flac", real / "stereo_diarization.wav"]
    files += sorted((real / "conversations").glob("*.wav")) + sorted((real / "telephone").glob("*"))
    return [f for f in files if f.is_file()]


def readable(path: Path, set_name: str, folder: Path) -> tuple[Call | None, str | None]:
    """A call with its length, or why soundfile cannot read it (AMR, for one)."""
    import soundfile as sf

    name = str(path.relative_to(folder))
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        return None, f"{name}: soundfile cannot read it ({str(exc).strip()})"
    if not info.frames:
        return None, f"{name}: no audio frames"
    return Call(set_name, path, name, info.frames / info.samplerate), None


def choose_calls(sets: list[str], limit: int | None, real: Path = REAL) -> tuple[list[Call], list[str]]:
    """The calls of each chosen set (the first `limit` readable ones of each) and the skip notes."""
    calls: list[Call] = []
    notes: list[str] = []
    for set_name in sets:
        if set_name == "real" and not real.is_dir():
            notes.append(f"real recordings: all skipped, {real} is absent (it sits beside the checkout as ../shared)")
            continue
        chosen = []
        folder = SAMPLES if set_name == "sample" else real
        for path in sample_calls() if set_name == "sample" else real_calls(real):
            call, why = readable(path, set_name, folder)
            if why:
                notes.append(f"{SET_NAMES[set_name]}: skipped {why}")
            elif limit is None or len(chosen) < limit:
                chosen.append(call)
        calls += chosen
    return calls, notes


def write_warmups(folder: Path) -> list[str]:
    """A 4 s stereo and a 4 s mono call from one sample, so each code path is loaded once."""
    import soundfile as sf

    audio, rate = sf.read(str(SAMPLES / "good_101.wav"), dtype="float32", frames=4 * 8000)
    stereo, mono = folder / "warm_stereo.wav", folder / "warm_mono.wav"
    sf.write(str(stereo), audio, rate)
    sf.write(str(mono), audio.mean(axis=1) if audio.ndim == 2 else audio, rate)
    return [str(stereo), str(mono)]


# ---------------------------------------------------------------- the workers (one process each)


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})


def _channels(path: str) -> list[Any]:
    """Every channel of the call as 16 kHz mono float32, decoded the same way for every bare contender."""
    import numpy as np

    from callqa.pipeline.audio import load_call

    with load_call(path) as call:
        return [np.asarray(samples, dtype=np.float32) for samples in call.channels.values()]


def _start_callqa(model: str) -> tuple[float, Callable[[str], dict[str, Any]]]:
    started = time.perf_counter()
    from callqa.pipeline.analyze import Analyzer
    from callqa.pipeline.config import AnalysisConfig, STTConfig

    imported = time.perf_counter()
    analyzer = Analyzer() if model == STTConfig().model else Analyzer(AnalysisConfig(stt=STTConfig(model=model)))

    def run(path: str) -> dict[str, Any]:
        result = analyzer.analyze(path)
        stages = {k: result.stats[k] for k in CALLQA_STAGES}
        return {"words": sum(len(seg.text.split()) for seg in result.transcript), "stages": stages}

    return imported - started, run


def _start_faster_whisper(model: str, vad: bool) -> tuple[float, Callable[[str], dict[str, Any]]]:
    started = time.perf_counter()
    from faster_whisper import WhisperModel

    from callqa.models.weights import MODELS, resolve_model

    imported = time.perf_counter()
    folder = resolve_model(model) if model in MODELS else Path(model)
    whisper = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1)

    def run(path: str) -> dict[str, Any]:
        words = 0
        for channel in _channels(path):
            segments, _info = whisper.transcribe(channel, vad_filter=vad)
            words += sum(len(s.text.split()) for s in segments)  # consuming the generator does the work
        return {"words": words}

    return imported - started, run


def _start_openai_whisper(checkpoint: str) -> tuple[float, Callable[[str], dict[str, Any]]]:
    started = time.perf_counter()
    import torch
    import whisper

    imported = time.perf_counter()
    torch.set_num_threads(1)
    model = whisper.load_model(checkpoint, device="cpu")

    def run(path: str) -> dict[str, Any]:
        return {"words": sum(len(model.transcribe(channel, beam_size=5, fp16=False)["text"].split())
                             for channel in _channels(path))}

    return imported - started, run


def worker_main(conn, contender: str, core: int, model: str, checkpoint: str | None, warmups: list[str]) -> None:
    """Serve one contender: load, warm up, then time each call path sent, until None arrives."""
    pin(core)
    try:
        started = time.perf_counter()
        if contender == "callqa":
            imports_s, run = _start_callqa(model)
        elif contender in ("fw-default", "fw-vad"):
            imports_s, run = _start_faster_whisper(model, vad=contender == "fw-vad")
        else:
            imports_s, run = _start_openai_whisper(checkpoint or "")
        load_s = time.perf_counter() - started - imports_s
        warm_at = time.perf_counter()
        for path in warmups:
            run(path)
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        conn.send(("ready", {"imports_s": imports_s, "load_s": load_s, "warmup_s": time.perf_counter() - warm_at,
                             "cores": cores}))
    except Exception as exc:  # noqa: BLE001 (reported to the parent, which skips this contender)
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    while (path := conn.recv()) is not None:
        try:
            t0 = time.perf_counter()
            out = run(path)
            conn.send(("done", {"wall_s": time.perf_counter() - t0} | out))
        except Exception as exc:  # noqa: BLE001 (one call's failure leaves that call out, not the run)
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


@dataclass
class Worker:
    contender: str
    process: Any
    conn: Any

    def ask(self, path: str) -> tuple[str, dict | str]:
        """One call's result; a worker that died (killed, out of memory) fails this and later calls."""
        try:
            self.conn.send(path)
            return self.conn.recv()
        except (EOFError, OSError):
            return "error", f"the {self.contender} worker died (exit code {self.process.exitcode})"

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)


def start_worker(contender: str, core: int, model: str, checkpoint: str | None,
                 warmups: list[str]) -> tuple[Worker | None, Startup | None, str | None]:
    """Start one worker and wait until it is loaded and warm; nothing else runs meanwhile."""
    ctx = mp.get_context("spawn")  # a fresh interpreter: start-up includes every import
    parent, child = ctx.Pipe()
    started = time.perf_counter()
    process = ctx.Process(target=worker_main, args=(child, contender, core, model, checkpoint, warmups),
                          name=f"bench-{contender}", daemon=True)
    process.start()
    child.close()
    try:
        kind, info = parent.recv()
    except EOFError:  # it died before it could say why (killed, or out of memory)
        process.join(5)
        kind, info = "failed", f"worker exited with code {process.exitcode}"
    total_s = time.perf_counter() - started
    worker = Worker(contender, process, parent)
    if kind != "ready":
        worker.stop()
        return None, None, str(info)
    return worker, Startup(contender, total_s - info["warmup_s"], info["imports_s"], info["load_s"],
                           info["warmup_s"], tuple(info["cores"])), None


def openai_checkpoint(folder: Path, model: str) -> tuple[str | None, str | None]:
    """Convert the CTranslate2 weights for openai-whisper, or say why it cannot run."""
    try:
        import torch  # noqa: F401
        import whisper  # noqa: F401
    except ImportError as exc:
        return None, (f"`import whisper, torch` failed ({exc}); install the extra: "
                      "pip install torch==2.13.0 && pip install .[openai]")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ct2_to_openai_whisper import bundled_model_bin, convert

    return str(convert(bundled_model_bin(model), folder / f"{Path(model).name}.pt")), None


# ---------------------------------------------------------------- the numbers


def summarise(name: str, runs: list[Run], contenders: list[str]) -> SetSummary:
    """Per call the median over repeats; calls with any failure are left out of every total."""
    by_call: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        by_call.setdefault((run.set, run.call), []).append(run)
    summary = SetSummary(name, 0, 0.0, {c: 0.0 for c in contenders}, {c: 0 for c in contenders})
    for (_set, call), call_runs in by_call.items():
        failed = [r for r in call_runs if r.error]
        if failed:
            summary.left_out.append(f"{call}: {failed[0].contender}: {failed[0].error}")
            continue
        summary.calls += 1
        summary.audio_s += call_runs[0].audio_s
        for contender in contenders:
            mine = [r for r in call_runs if r.contender == contender]
            summary.wall_s[contender] += statistics.median(r.wall_s for r in mine)
            summary.words[contender] += round(statistics.median(r.words for r in mine))
            middle = sorted(mine, key=lambda r: r.wall_s)[(len(mine) - 1) // 2]
            for stage, seconds in (middle.stages or {}).items():
                summary.callqa_stages[stage] = summary.callqa_stages.get(stage, 0.0) + seconds
    summary.rtf = {c: summary.audio_s / wall for c, wall in summary.wall_s.items() if wall}
    if "callqa" in contenders and summary.wall_s["callqa"]:
        for contender in contenders:
            if contender != "callqa":
                summary.speed_up[contender] = summary.wall_s[contender] / summary.wall_s["callqa"]
    summary.targets = targets(summary, contenders)
    return summary


def targets(summary: SetSummary, contenders: list[str]) -> list[TargetCheck]:
    if "callqa" not in summary.rtf:
        return []
    rtf = summary.rtf["callqa"]
    checks = [TargetCheck(f"callqa >= {RTF_TARGET:g}x real time", rtf, RTF_TARGET, rtf >= RTF_TARGET)]
    for contender, target in SPEED_UP_TARGETS.items():
        value = summary.speed_up.get(contender)
        checks.append(TargetCheck(f"callqa >= {target:g}x {LABELS[contender]}", value, target,
                                  None if value is None else value >= target))
    return checks


def format_summary(summary: SetSummary, contenders: list[str], repeat: int) -> str:
    lines = [f"== {summary.name}: {summary.calls} call(s), {summary.audio_s:.1f} s of call audio"
             + (f", median of {repeat} runs per call" if repeat > 1 else "") + " =="]
    if not summary.rtf:
        return "\n".join(lines + ["  (no calls)"] + [f"  left out {n}" for n in summary.left_out])
    lines.append(f"  {'contender':30} {'wall s':>9} {'audio s/wall s':>15} {'words':>7} {'callqa speed-up':>16}")
    for c in contenders:
        speed_up = f"{summary.speed_up[c]:.2f}x" if c in summary.speed_up else "-"
        lines.append(f"  {LABELS[c]:30} {summary.wall_s[c]:9.2f} {summary.rtf[c]:14.1f}x "
                     f"{summary.words[c]:7d} {speed_up:>16}")
    if summary.callqa_stages:
        stages = summary.callqa_stages
        lines.append("  callqa by stage (s): " + ", ".join(
            f"{k.removesuffix('_s')} {stages[k]:.2f}" for k in CALLQA_STAGES if k.endswith("_s") and
            k not in ("speech_decoded_s", "channel_audio_s")) +
            f"; speech decoded {stages['speech_decoded_s']:.1f} s of {stages['channel_audio_s']:.1f} s channel audio")
    for check in summary.targets:
        verdict = "not run" if check.met is None else ("met" if check.met else "NOT met")
        value = "-" if check.value is None else f"{check.value:.2f}x"
        lines.append(f"  target {check.what:48} {value:>9}  {verdict}")
    lines += [f"  left out {note}" for note in summary.left_out]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": model or platform.processor(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {}
    for dist in ("callqa", "faster-whisper", "ctranslate2", "openai-whisper", "torch"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return out


# ---------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="sample,real", help="comma list of: sample, real (default both)")
    parser.add_argument("--limit", type=int, help="at most N calls from each set")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole call list (default 1)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help=f"comma list of: {', '.join(CONTENDERS)}")
    parser.add_argument("--model", default="tiny.en", help="bundled model name (default tiny.en)")
    parser.add_argument("--core", type=int, help="the CPU core to pin every worker to (default: the first allowed)")
    parser.add_argument("--json", metavar="PATH", help="write every number as JSON here")
    args = parser.parse_args(argv)
    args.sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    for value, allowed, option in ((args.sets, SET_NAMES, "--sets"), (args.contenders, CONTENDERS, "--contenders")):
        wrong = [v for v in value if v not in allowed]
        if wrong or not value:
            parser.error(f"{option}: expected some of {', '.join(allowed)}, got {', '.join(wrong) or 'nothing'}")
    if args.repeat < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--repeat and --limit must be at least 1")
    allowed_cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    if args.core is None:
        args.core = allowed_cores[0]
    elif args.core not in allowed_cores:
        parser.error(f"--core {args.core}: this process may use cores {allowed_cores}")
    return args


def run_calls(workers: list[Worker], calls: list[Call], repeat: int) -> list[Run]:
    runs: list[Run] = []
    for rep in range(repeat):
        for n, call in enumerate(calls, 1):
            call.path.read_bytes()  # into the page cache, so the first contender pays no disk read
            cells = []
            for worker in workers:
                kind, info = worker.ask(str(call.path))
                if kind == "done":
                    runs.append(Run(worker.contender, call.set, call.name, call.audio_s, rep, info["wall_s"],
                                    info["words"], stages=info.get("stages")))
                    cells.append(f"{worker.contender} {info['wall_s']:6.2f} s ({call.audio_s / info['wall_s']:5.1f}x)")
                else:
                    runs.append(Run(worker.contender, call.set, call.name, call.audio_s, rep, None, None, str(info)))
                    cells.append(f"{worker.contender} failed")
            print(f"[{rep + 1}/{repeat} {n}/{len(calls)}] {call.name:34} {call.audio_s:6.1f} s  " + "  ".join(cells),
                  flush=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    calls, notes = choose_calls(args.sets, args.limit)
    started = datetime.now(UK)
    load_before = os.getloadavg()
    print(f"bench_speed {started.isoformat(timespec='seconds')} (UK time); model {args.model} int8, one thread; "
          f"every worker pinned to core {args.core}; load average {load_before[0]:.2f}")
    for note in notes:
        print(note)
    if not calls:
        print("no calls to run")
        return 1
    contenders = list(args.contenders)
    startups: list[Startup] = []
    skipped: dict[str, str] = {}
    workers: list[Worker] = []
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        checkpoint = None
        if "openai-whisper" in contenders:
            checkpoint, why = openai_checkpoint(Path(tmp), args.model)
            if why:
                skipped["openai-whisper"] = why
        warmups = write_warmups(Path(tmp))
        try:
            for contender in [c for c in contenders if c not in skipped]:
                worker, startup, why = start_worker(contender, args.core, args.model, checkpoint, warmups)
                if worker:
                    workers.append(worker)
                    startups.append(startup)
                else:
                    skipped[contender] = why or "failed to start"
            contenders = [w.contender for w in workers]
            for contender, why in skipped.items():
                print(f"{LABELS[contender]}: skipped: {why}")
            print("start-up, each worker alone on the core (process start + imports + model load; warm-up apart):")
            for s in startups:
                print(f"  {LABELS[s.contender]:30} {s.total_s:6.2f} s = {s.process_s:.2f} + {s.imports_s:.2f} "
                      f"+ {s.load_s:.2f}; warm-up {s.warmup_s:.2f} s")
            runs = run_calls(workers, calls, args.repeat) if workers else []
        finally:
            for worker in workers:
                worker.stop()
    sets = [(SET_NAMES[s], [r for r in runs if r.set == s]) for s in args.sets if any(r.set == s for r in runs)]
    if len(sets) > 1:
        sets.append(("all calls", runs))
    summaries = [summarise(name, set_runs, contenders) for name, set_runs in sets]
    load_after = os.getloadavg()
    print()
    for summary in summaries:
        print(format_summary(summary, contenders, args.repeat))
    print(f"load average at the end {load_after[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UK).isoformat(timespec="seconds"),
            "options": {"sets": args.sets, "limit": args.limit, "repeat": args.repeat, "model": args.model,
                        "core": args.core, "contenders": args.contenders},
            "machine": machine() | {"load_average_start": load_before, "load_average_end": load_after},
            "versions": versions(),
            "targets": {"callqa_rtf": RTF_TARGET, "callqa_speed_up": SPEED_UP_TARGETS},
            "skipped_calls": notes,
            "skipped_contenders": skipped,
            "startup": [asdict(s) | {"process_s": s.process_s} for s in startups],
            "runs": [asdict(r) for r in runs],
            "sets": [asdict(s) for s in summaries],
        }, indent=2, default=str) + "\n")
        print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
