"""Word error rate of the bundled models and decoding options on the real speech in ../shared.

How the default model and options were chosen: run `python bench/stt_accuracy.py`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callqa.pipeline.audio import load_call  # noqa: E402
from callqa.pipeline.config import STTConfig, VADConfig  # noqa: E402
from callqa.pipeline.stt import load_engine  # noqa: E402
from callqa.pipeline.stt.decode import transcribe_channel  # noqa: E402
from callqa.pipeline.vad import speech_regions  # noqa: E402
from tests.real_speech import HARVARD, JFK, VOICEMAIL, wer  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def corpus() -> list[tuple[str, str, str]]:
    items = [(str(REAL / "jfk.flac"), "mono", JFK)]
    items += [(str(REAL / "harvard" / f"{k}.wav"), "mono", v) for k, v in HARVARD.items()]
    items += [
        (str(REAL / "telephone" / f), "mono", VOICEMAIL) for f in ("g711_mulaw_sample1.g711", "gsm610_sample1.gsm610")
    ]
    return items


def transcribe_text(engine, path: str, layout: str, config: STTConfig) -> str:
    audio = load_call(path, layout)
    samples = next(iter(audio.channels.values()))
    regions = speech_regions(samples, audio.sample_rate, VADConfig())
    result = transcribe_channel(engine, samples, audio.sample_rate, "unknown", regions, config)
    return " ".join(s.text for s in result.segments)


def main() -> None:
    items = corpus()
    print(f"{'model':8} {'beam':>4} {'gate':>5} {'WER jfk+harvard':>16} {'WER phone':>10} {'seconds':>8}")
    for model in ("tiny.en", "base"):
        for beam in (1, 5):
            for gate in ("vad", "none"):
                config = replace(STTConfig(), model=model, beam_size=beam, gate=gate)
                engine = load_engine(config)
                started = time.perf_counter()
                hyps = [transcribe_text(engine, p, layout, config) for p, layout, _ in items]
                took = time.perf_counter() - started
                refs = [r for _, _, r in items]
                clean = wer(refs[:11], hyps[:11])
                phone = wer(refs[11:], hyps[11:])
                print(f"{model:8} {beam:4d} {gate:>5} {clean:16.3f} {phone:10.3f} {took:8.1f}", flush=True)


if __name__ == "__main__":
    if not REAL.is_dir():
        sys.exit(f"{REAL} not found: the shared real-speech folder is needed")
    np.seterr(all="ignore")
    main()
