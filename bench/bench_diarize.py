#!/usr/bin/env python
"""Who said what on mono calls: DER, handler identification and cost, side by side.

    python bench/bench_diarize.py [--no-stt] [--no-calls]

1. **DER** (0.25 s collar, and none) per source and pooled, for the speaker-embedding diarizer
   (the default) and the MFCC statistics it replaced, on the *tune* sources and, apart, on the
   *measure* sources nobody chose settings on (bench/diarize_sources.py): the real AMI
   conversations with published turns (clean and telephone band) and the mono mixes of the 19
   unseen calls. For the AMI excerpts also with the reference speech as VAD ("oracle"), which
   separates the speaker errors from what the VAD missed.
2. **Handler identification** on the mono mixes of the unseen calls, analysed end to end
   (tiny.en): which cluster is the handler, by the greeting/first speaker alone and with a
   voiceprint enrolled from the *other* unseen stereo calls of the same handler voice (leave one
   out), and the share of transcript word time given to the right party.
3. **Cost**: attribution seconds per minute of audio against tiny.en transcription.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.diarize_sources import UNSEEN, measure_sources, tune_sources  # noqa: E402
from callqa.pipeline.diarize import DiarizeConfig, der, diarize  # noqa: E402
from callqa.pipeline.vad import Region, merge_regions, speech_regions  # noqa: E402

METHODS = {"embeddings": DiarizeConfig(), "mfcc": DiarizeConfig(method="mfcc", hop_s=0.5)}  # MFCC as it was


def der_table(name: str, sources: dict, oracle: bool = False) -> dict[str, tuple[float, float]]:
    print(f"\n{name}: DER % (0.25 s collar / no collar)")
    print(f"  {'source':36s} " + "  ".join(f"{m:>15s}" for m in METHODS)
          + ("  " + "  ".join(f"{'oracle ' + m:>17s}" for m in METHODS) if oracle else ""))
    pooled: dict[str, list[float]] = {m: [0.0, 0.0, 0.0] for m in METHODS}
    for source, (x, ref) in sources.items():
        speech = sum(e - s for iv in ref.values() for s, e in iv)
        regions = speech_regions(x, 16000)
        cells, extra = [], []
        for method, config in METHODS.items():
            turns = [t for t in diarize(x, 16000, regions, config) if not t.overlap]
            d, d0 = der(ref, turns), der(ref, turns, 0.0)
            pooled[method][0] += d * speech
            pooled[method][1] += d0 * speech
            pooled[method][2] += speech
            cells.append(f"{100 * d:6.1f} / {100 * d0:5.1f}")
            if oracle:
                truth = merge_regions([Region(a, b) for iv in ref.values() for a, b in iv], 0.0)
                o = [t for t in diarize(x, 16000, truth, config) if not t.overlap]
                extra.append(f"{100 * der(ref, o):8.1f} / {100 * der(ref, o, 0.0):5.1f}")
        print(f"  {source:36s} " + "  ".join(cells) + ("  " + "  ".join(extra) if extra else ""), flush=True)
    out = {m: (a / c, b / c) for m, (a, b, c) in pooled.items()}
    print(f"  {'POOLED':36s} " + "  ".join(f"{100 * a:6.1f} / {100 * b:5.1f}" for a, b in out.values()))
    return out


def handler_identification(no_stt: bool) -> None:
    """End to end on the unseen calls' mono mixes, with and without a leave-one-out voiceprint."""
    import json

    from callqa.pipeline.analyze import Analyzer
    from callqa.pipeline.audio import load_call
    from callqa.pipeline.voiceprints import voice_sample

    if no_stt:
        return
    analyzer = Analyzer()
    truths = {p: json.loads(p.with_name(p.stem + ".truth.json").read_text()) for p in sorted(UNSEEN.glob("*.wav"))}
    samples = {}
    for path in truths:
        ch = load_call(path).channels["handler"]
        samples[path] = voice_sample(ch, 16000, speech_regions(ch, 16000), analyzer.speaker_encoder)
    for trimmed in (False, True):
        _identify(analyzer, truths, samples, trimmed)


def _identify(analyzer, truths: dict, samples: dict, trimmed: bool) -> None:
    import tempfile

    import soundfile as sf

    from bench.diarize_sources import call_mix
    from callqa.pipeline.voiceprints import centroid

    what = ("recording starting at the caller's first words (greeting and first speaker lost)" if trimmed
            else "whole recording")
    print(f"\nhandler identification on the unseen calls mixed to mono, {what} (tiny.en, end to end)")
    print(f"  {'call':34s} {'without voiceprint':>24s} {'with voiceprint':>30s}")
    tally = {"without": [0, 0.0], "with": [0, 0.0], "enrolled": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for path, truth in truths.items():
            voice = truth["voices"]["handler"].split(":")[0]
            others = [samples[p] for p, t in truths.items()
                      if p != path and t["voices"]["handler"].split(":")[0] == voice and samples[p]]
            vp = centroid(voice, others)
            x, ref = call_mix(path)
            if trimmed:  # a recorder that starts late: cut to 0.2 s before the caller's first speech
                cut = max(0.0, ref[1][0][0] - 0.2)
                x = x[int(cut * 16000):]
                ref = {k: [(a - cut, b - cut) for a, b in iv if b > cut] for k, iv in ref.items()}
            mono = Path(tmp) / f"{path.stem}.wav"
            sf.write(mono, x, 16000)
            cells = []
            for key, print_ in (("without", None), ("with", vp.vector if vp else None)):
                result = analyzer.analyze(mono, "mono", handler_voiceprint=print_).to_dict()
                right, total = _word_agreement(result, ref)
                ok = right / total > 0.5 if total else False
                tally[key][0] += ok
                tally[key][1] += right / total if total else 0.0
                by = result["attribution"].get("decided_by", "-")
                cells.append(f"{'right' if ok else 'WRONG'} {by:13s} {100 * right / max(total, 1e-9):4.0f}%")
            tally["enrolled"] += vp is not None
            print(f"  {path.stem:34s} {cells[0]:>24s} {cells[1]:>30s}", flush=True)
    n = len(truths)
    for key in ("without", "with"):
        print(f"  {key} voiceprint: handler right on {tally[key][0]} of {n} calls; words given to the right "
              f"party {100 * tally[key][1] / n:.0f}% (mean)")
    print(f"  ({tally['enrolled']} of {n} calls had a voiceprint from other calls of the same handler voice)")


def _word_agreement(result: dict, ref: dict) -> tuple[float, float]:
    """Seconds of attributed words whose party matches the reference channel's speech, and all."""
    right = total = 0.0
    spans = {"handler": ref[0], "caller": ref[1]}
    for seg in result["transcript"]:
        for w in seg["words"]:
            mid = (w["start_s"] + w["end_s"]) / 2
            truth = [p for p, iv in spans.items() if any(a <= mid <= b for a, b in iv)]
            if len(truth) != 1:
                continue
            length = w["end_s"] - w["start_s"]
            total += length
            right += length * (seg["speaker"] == truth[0])
    return right, total


def cost(no_stt: bool) -> None:
    from callqa.pipeline.audio import load_call
    from callqa.pipeline.diarize import diarize_call
    from callqa.pipeline.speaker_encoder import default_speaker_encoder

    encoder = default_speaker_encoder()
    mixes = []
    for path in sorted(UNSEEN.glob("*.wav")):
        ch = load_call(path).channels
        mixes.append(((np.asarray(ch["handler"]) + np.asarray(ch["caller"])) / 2).astype(np.float32))
    x = np.concatenate(mixes)
    minutes = len(x) / 16000 / 60
    regions = speech_regions(x, 16000)
    diarize_call(x[:16000 * 20], 16000, speech_regions(x[:16000 * 20], 16000), encoder=encoder)  # warm up
    started = time.perf_counter()
    diarize_call(x, 16000, regions, encoder=encoder)
    attribution_s = time.perf_counter() - started
    line = f"\ncost on {minutes:.1f} min of mono audio: attribution {attribution_s / minutes:.2f} s per minute"
    if not no_stt:
        from faster_whisper import WhisperModel

        from callqa.models.weights import resolve_model

        model = WhisperModel(str(resolve_model("tiny.en")), device="cpu", compute_type="int8", cpu_threads=1)
        started = time.perf_counter()
        list(model.transcribe(x, language="en", beam_size=1)[0])
        stt_s = time.perf_counter() - started
        line += f", tiny.en {stt_s / minutes:.2f} s per minute -> attribution is {100 * attribution_s / stt_s:.1f}%"
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-stt", action="store_true", help="skip everything that needs speech-to-text")
    parser.add_argument("--no-calls", action="store_true", help="skip the unseen-call mixes")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        der_table("TUNE sources (settings were chosen on these)", tune_sources())
        measured = measure_sources(calls=not args.no_calls)
        der_table("MEASURE: real AMI conversations (published turns)",
                  {k: v for k, v in measured.items() if k.startswith("ami")}, oracle=True)
        if not args.no_calls:
            der_table("MEASURE: unseen calls mixed to mono", {k: v for k, v in measured.items() if k.startswith("unseen")})
            handler_identification(args.no_stt)
        cost(args.no_stt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
