"""Redaction for panel packs: planted personal details must be gone from the text and the audio,
while the words a panel needs to judge the call stay."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from callqa.pipeline.config import AnalysisConfig, RedactionConfig, load_config
from callqa.panel.redact import (
    PLACEHOLDERS,
    Redaction,
    audio_spans,
    find_redactions,
    redact_audio,
    redact_result,
    redaction_spans,
)
from callqa.pipeline.transcript import Segment, Word

FIXTURE = Path(__file__).parent / "data" / "redaction" / "planted.wav"
H, C = "handler", "caller"
WORD_S = 0.3


def seg(speaker: str, start: float, text: str) -> Segment:
    """A segment as Whisper writes it: each word keeps its leading space and punctuation."""
    words = [Word(" " + w, start + i * WORD_S, start + (i + 1) * WORD_S, 0.8) for i, w in enumerate(text.split())]
    return Segment(speaker, start, words[-1].end_s, "".join(w.text for w in words).strip(), words)


def redacted_texts(*texts: str, speaker: str = C, config: RedactionConfig = RedactionConfig()) -> list[str]:
    result = {"transcript": [seg(speaker, 30.0 * i, t).to_dict() for i, t in enumerate(texts)]}
    out, _ = redact_result(result, config)
    return [s["text"] for s in out["transcript"]]


def strings(value) -> list[str]:
    """Every string anywhere in a JSON-like value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def leaks(value, details: list[str], digits: list[str] = ()) -> list[str]:
    found = [d for d in details for s in strings(value) if d.lower() in s.lower()]
    found += [d for d in digits for s in strings(value) if d in re.sub(r"\D", "", s)]
    return sorted(set(found))


# A 101 call with every kind of detail planted, and traps that must survive.
CALL = [
    (H, 0.5, "Staffordshire Police, how can I help?"),
    (C, 3.0, "Hi, my name is Daniel Hargreaves. Someone scratched my car outside my house."),
    (H, 8.0, "Sorry to hear that. Will you be at home later today?"),
    (C, 11.0, "Yes. It happened on the 3rd of March, in the Meadow behind the flats near Stafford."),
    (H, 17.0, "Okay. What's the address?"),
    (C, 19.0, "It's 14 Meadow Lane, Stafford, ST16 2DJ."),
    (H, 22.0, "And a contact number?"),
    (C, 24.0, "07700 900123."),
    (H, 26.0, "And your date of birth?"),
    (C, 28.0, "12th of March 1985."),
    (H, 30.0, "Thank you. What's the registration of the car?"),
    (C, 33.0, "It's AB12 CDE, a silver Ford Focus. My neighbour Sarah Jones saw it."),
    (H, 37.0, "And an email address for updates?"),
    (C, 39.0, "danielh85@example.com."),
    (H, 41.0, "Thanks, Mr Hargreaves. This is Emma. Your crime reference number is 22/12345/26. "
              "I'll call you back in 10 minutes, or ring you at 5 o'clock."),
    (C, 51.0, "Thanks Emma."),
]
PLANTED = ["Daniel", "Hargreaves", "Emma", "Sarah Jones", "Jones", "07700", "900123", "ST16", "2DJ",
           "12th of March 1985", "1985", "AB12", "CDE", "Meadow Lane", "danielh85", "example.com", "22/12345/26",
           "12345"]
EXPECTED_TEXT = {
    1: "Hi, my name is [NAME]. Someone scratched my car outside my house.",
    3: "Yes. It happened on the 3rd of March, in the Meadow behind the flats near Stafford.",
    5: "It's [ADDRESS], Stafford, [POSTCODE].",
    7: "[PHONE].",
    9: "[DOB].",
    11: "It's [VEHICLE REG], a silver Ford Focus. My neighbour [NAME] saw it.",
    13: "[EMAIL].",
    14: "Thanks, Mr [NAME]. This is [NAME]. Your crime reference number is [REFERENCE]. "
        "I'll call you back in 10 minutes, or ring you at 5 o'clock.",
    15: "Thanks [NAME].",
}


def call_result() -> dict:
    """A result JSON whose evidence, reasons, explanations and flags quote the planted details."""
    segments = [seg(*t) for t in CALL]
    caller_words = " ".join(w.text.strip() for s in segments if s.speaker == C for w in s.words)
    closing = segments[14]
    mr = next(i for i, w in enumerate(closing.words) if w.text == " Mr")
    ref = next(i for i, w in enumerate(closing.words) if "22/" in w.text)
    return {
        "schema_version": 1, "call_id": "planted", "source": "planted.wav", "duration_s": 53.0,
        "transcript": [s.to_dict() for s in segments],
        "silences": [{"start_s": 44.0, "end_s": 56.0, "duration_s": 12.0, "explained": True,
                      "explanation": {"text": "bear with me Daniel", "start_s": 43.5,
                                      "rule": "silence.explanations: 'bear with me'"},
                      "owner": "handler", "broken_by": "caller"}],
        "indicators": {
            "greeting": {"status": "pass", "reason": "named the force and offered help at 0.5 s", "evidence": [
                {"speaker": H, "start_s": 0.5, "end_s": 1.1, "text": "Staffordshire Police,",
                 "rule": "greeting.force_names: 'staffordshire police'", "score": 100.0}]},
            "rapport": {"status": "pass", "reason": "handler used the caller's name 'Mr Hargreaves' at 41.3 s",
                        "evidence": [{"speaker": H, "start_s": closing.words[mr].start_s,
                                      "end_s": closing.words[mr + 1].end_s, "text": "Mr Hargreaves.",
                                      "rule": "rapport.names", "score": 100.0}]},
            "next_steps": {"status": "pass", "reason": "next steps stated at 43.1 s", "evidence": [
                {"speaker": H, "start_s": closing.words[ref - 4].start_s, "end_s": closing.words[ref].end_s,
                 "text": "crime reference number is 22/12345/26.", "rule": "next_steps.phrases: 'crime reference'",
                 "score": 100.0}]},
            "listening": {"status": "fail", "reason": "1 interruption(s)", "evidence": [
                {"speaker": H, "start_s": 8.0, "end_s": 9.0, "text": "Sorry to hear that.",
                 "rule": "listening: handler started while the caller was speaking",
                 "caller_was_saying": caller_words[caller_words.index("Hargreaves") + 3:][:120]}],
                "metrics": {"interruptions": 1, "caller_share": 0.4}},
            "acknowledgement": {"status": "fail", "reason": "no acknowledgement", "evidence": [
                {"speaker": C, "start_s": 60.0, "end_s": 61.0,  # not at the words' times: only the text says it
                 "text": caller_words[:caller_words.index("900123") + 3], "rule": "acknowledgement: none"}]},
        },
        "flags": [{"indicator": "rapport", "reason": "caller gave 07700 900123 and AB12 CDE", "start_s": 24.0,
                   "severity": "info"}],
    }


def test_planted_details_are_gone_from_every_string_and_typed_placeholders_replace_them():
    result = call_result()
    assert leaks(result, PLANTED, ["07700900123"])  # the check itself can see them
    out, redactions = redact_result(result)

    assert leaks(out, PLANTED, ["07700900123", "221234526"]) == []
    for k, text in EXPECTED_TEXT.items():
        assert out["transcript"][k]["text"] == text
    for k, segment in enumerate(out["transcript"]):
        assert segment["text"] == "".join(w["text"] for w in segment["words"]).strip()
        if k not in EXPECTED_TEXT:
            assert segment == result["transcript"][k]
    categories = {"name": 5, "phone": 1, "postcode": 1, "address": 1, "date_of_birth": 1, "vehicle_reg": 1,
                  "email": 1, "reference": 1}
    assert out["redaction"] == {"applied": True, "count": 12, "categories": categories}
    assert sorted(r.category for r in redactions) == sorted(c for c, n in categories.items() for _ in range(n))
    assert result == call_result()  # the input is not touched


def test_non_personal_words_survive():
    out, _ = redact_result(call_result())
    text = " ".join(s["text"] for s in out["transcript"])
    for kept in ["Staffordshire Police, how can I help?", "Will you be at home", "3rd of March", "the Meadow behind",
                 "near Stafford", "Ford Focus", "in 10 minutes", "at 5 o'clock", "crime reference number is",
                 "Mr [NAME]"]:
        assert kept in text
    assert out["indicators"]["greeting"] == call_result()["indicators"]["greeting"]


def test_placeholder_words_span_the_hidden_words_times():
    result = call_result()
    out, redactions = redact_result(result)
    address = next(r for r in redactions if r.category == "address")
    assert (address.segment_index, address.word_start, address.word_end) == (5, 1, 4)
    before = result["transcript"][5]["words"]
    after = out["transcript"][5]["words"]
    assert [w["text"] for w in after] == [" It's", " [ADDRESS],", " Stafford,", " [POSTCODE]."]
    assert after[1]["start_s"] == before[1]["start_s"] and after[1]["end_s"] == before[3]["end_s"]
    assert (address.start_s, address.end_s) == (before[1]["start_s"], before[3]["end_s"])
    assert address.placeholder == PLACEHOLDERS["address"] == "[ADDRESS]"


def test_evidence_reasons_explanations_and_flags_are_rewritten():
    out, _ = redact_result(call_result())
    ind = out["indicators"]
    assert ind["rapport"]["evidence"][0]["text"] == "Mr [NAME]."
    assert ind["rapport"]["reason"] == "handler used the caller's name 'Mr [NAME]' at 41.3 s"
    assert ind["next_steps"]["evidence"][0]["text"] == "crime reference number is [REFERENCE]."
    assert ind["next_steps"]["evidence"][0]["rule"] == "next_steps.phrases: 'crime reference'"
    assert ind["listening"]["evidence"][0]["caller_was_saying"].startswith("[NAME]. Someone scratched")
    assert ind["listening"]["metrics"] == {"interruptions": 1, "caller_share": 0.4}
    assert ind["acknowledgement"]["evidence"][0]["text"].endswith("[PHONE]")
    assert out["silences"][0]["explanation"]["text"] == "bear with me [NAME]"
    assert out["flags"][0]["reason"] == "caller gave [PHONE] and [VEHICLE REG]"
    assert out["call_id"] == "planted" and out["duration_s"] == 53.0


def test_redactions_never_hold_the_words():
    redactions = find_redactions([seg(*t) for t in CALL])
    assert leaks([r.to_dict() for r in redactions], PLANTED, ["07700900123"]) == []
    assert set(Redaction.__dataclass_fields__) == {"category", "placeholder", "speaker", "segment_index",
                                                   "word_start", "word_end", "start_s", "end_s", "rule",
                                                   "audio_start_s", "audio_end_s"}
    spans = redaction_spans(redactions)
    assert spans == sorted(spans) and len(spans) == len(redactions)
    assert all(isinstance(c, str) and c in PLACEHOLDERS for _, _, c in spans)


@pytest.mark.parametrize("said,redacted", [
    ("My number is oh seven seven zero zero, nine double zero, one two three.", "My number is [PHONE]."),
    ("It's 0 7 7 0 0 9 0 0 1 2 3.", "It's [PHONE]."),
    ("It's 07700-900123 thanks.", "It's [PHONE] thanks."),
    ("+44 7700 900123 is my mobile.", "[PHONE] is my mobile."),
    ("Ring me on 900123.", "Ring me on [PHONE]."),
    ("The postcode is S T 1 6 2 D J.", "The postcode is [POSTCODE]."),
    ("It's ST16, 2DJ.", "It's [POSTCODE]."),
    ("ST162DJ.", "[POSTCODE]."),
    ("Reg is A B 1 2 C D E.", "Reg is [VEHICLE REG]."),
    ("It was AB12CDE and it drove off.", "It was [VEHICLE REG] and it drove off."),
    ("The plate was Y R one seven, K L M.", "The plate was [VEHICLE REG]."),
    ("It's john dot smith at gmail dot com.", "It's [EMAIL]."),
    ("Email john.smith@example.co.uk please.", "Email [EMAIL] please."),
    ("I was born on the twelfth of March nineteen eighty five.", "I was born on [DOB]."),
    ("Date of birth 12/03/1985.", "Date of birth [DOB]."),
    ("My birthday is March the 12th.", "My birthday is [DOB]."),
    ("It's flat 3, 22 Church Street.", "It's [ADDRESS]."),
    ("I live at Twenty two Oak Road, Stafford.", "I live at [ADDRESS], Stafford."),
    ("Log number 456, incident 1234 of the 26th.", "Log number [REFERENCE], incident [REFERENCE]."),
    ("Your reference number is S P 6 6 0 2 and an officer will call.",
     "Your reference number is [REFERENCE] and an officer will call."),
    ("My surname is Smith, S M I T H.", "My surname is [NAME]."),
    ("Is that Sarah?", "Is that [NAME]?"),
    ("My name is Will.", "My name is [NAME]."),
    ("My name's not important.", "My name's not important."),
    ("I'm speaking to Mrs Patel.", "I'm speaking to Mrs [NAME]."),
    ("Sarah's car was hit.", "[NAME]'s car was hit."),
    ("Will Smith came round.", "[NAME] came round."),
    ("A lad called Jack Wills hit me.", "A lad called [NAME] hit me."),
    ("Hi, it's Priya Sharma speaking.", "Hi, it's [NAME] speaking."),
])
def test_spoken_and_written_forms(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "Staffordshire Police, how can I help?",
    "I'll call you back in 10 minutes.",
    "Ring 101 at 5 o'clock, or 999 in an emergency.",
    "Will you be in later?",
    "May I ask what happened?",
    "It happened in March.",
    "It happened on the 3rd of March 2024.",
    "Mark my words, they'll be back.",
    "We walked over the Meadow.",
    "I live in Stafford, near Stoke-on-Trent.",
    "The frame number is four five six one.",
    "It's a silver Ford Focus on the M6 near junction 14.",
    "I waited 20 minutes at the park.",
    "I called the police yesterday. Is that OK?",
    "Thank you. An officer will call you back within 48 hours.",
    "I'll log it now.",
])
def test_traps_are_left_alone(said):
    assert redacted_texts(said) == [said]


def test_a_date_is_a_date_of_birth_only_near_a_birth_cue_said_by_either_party():
    question = seg(H, 0.0, "What's your date of birth?")
    later = seg(C, 40.0, "It was the 12th of March 2025.")
    found = find_redactions([question, seg(C, 2.0, "12th of March 1985."), later])
    assert [(r.category, r.segment_index) for r in found] == [("date_of_birth", 1)]


def test_a_number_split_across_two_segments_of_one_party_is_found():
    transcript = [seg(C, 0.0, "My number is 07700"), seg(H, 1.6, "Yeah."), seg(C, 2.2, "900123.")]
    found = find_redactions(transcript)
    assert [(r.category, r.segment_index, r.word_start, r.word_end) for r in found] == \
        [("phone", 0, 3, 4), ("phone", 2, 0, 1)]
    out, _ = redact_result({"transcript": [s.to_dict() for s in transcript]})
    assert [s["text"] for s in out["transcript"]] == ["My number is [PHONE]", "Yeah.", "[PHONE]."]


def test_the_reply_to_a_question_is_read_as_the_answer():
    """tiny.en heard "Y R one seven, K L M" as "Why are 07KLM?" (tests/data/redaction/planted.wav)."""
    transcript = [seg(H, 0.0, "What's the registration?"), seg(C, 1.5, "Why are 07KLM?"),
                  seg(H, 3.0, "Thanks."), seg(C, 30.0, "Why are they 07 minutes late?")]
    found = find_redactions(transcript)
    assert [(r.category, r.rule, r.segment_index, r.word_start, r.word_end) for r in found] == \
        [("vehicle_reg", "vehicle_reg.answer", 1, 0, 3)]
    mono = [seg("unknown", 0.0, "And the registration? Why are 07KLM?"), seg("unknown", 20.0, "OK, 2 of them.")]
    assert [(r.category, r.rule, r.word_start, r.word_end) for r in find_redactions(mono)] == \
        [("vehicle_reg", "vehicle_reg.answer", 3, 6)]
    assert redacted_texts("And your postcode? Yes, it's ST16 2D.") == ["And your postcode? Yes, it's [POSTCODE]."]
    assert find_redactions([seg(H, 0.0, "Any phone number?"), seg(C, 1.0, "No, sorry, it's 101.")]) == []


def test_allow_and_deny_lists():
    config = RedactionConfig(allow_names=("Sarah",), deny_names=("Zebedee Quill",))
    said = ["Sarah saw it.", "It was zebedee quill again."]
    assert redacted_texts(*said, config=config) == ["Sarah saw it.", "It was [NAME] again."]
    assert redacted_texts(*said) == ["[NAME] saw it.", "It was zebedee quill again."]


def test_nothing_found_leaves_the_transcript_as_it_was():
    result = {"transcript": [seg(H, 0.5, "Staffordshire Police, how can I help?").to_dict()], "indicators": {}}
    out, redactions = redact_result(result)
    assert redactions == []
    assert out["transcript"] == result["transcript"]
    assert out["redaction"] == {"applied": True, "count": 0, "categories": {}}


# ---------------------------------------------------------------- configuration


def test_redaction_section_of_a_config_file_loads(tmp_path):
    path = tmp_path / "callqa.toml"
    path.write_text('[redaction]\naudio_mode = "silence"\npad_s = 0.2\nname = false\n'
                    'reference_patterns = ["\\\\bstorm (?P<ref>\\\\d+)"]\ndeny_names = ["Zebedee"]\n')
    config = load_config(path).redaction
    assert config.audio_mode == "silence" and config.pad_s == 0.2 and not config.name
    assert config.reference_patterns == (r"\bstorm (?P<ref>\d+)",) and config.deny_names == ("Zebedee",)
    assert "name" not in config.categories and "phone" in config.categories
    assert load_config().redaction == RedactionConfig() == AnalysisConfig().redaction

    texts = redacted_texts("My name is Daniel Hargreaves, on 07700 900123.", "It's on storm 4471.",
                           "Crime reference 22/12345/26.", config=config)
    assert texts == ["My name is Daniel Hargreaves, on [PHONE].", "It's on storm [REFERENCE].",
                     "Crime reference 22/12345/26."]


# ---------------------------------------------------------------- audio


def _tone_level(x: np.ndarray, sr: int) -> tuple[float, float]:
    """(frequency of the strongest component, RMS) of a stretch of audio."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / sr)[np.argmax(spectrum)]), float(np.sqrt(np.mean(x ** 2)))


def _span_mask(n: int, sr: int, spans: list[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for a, b in spans:
        mask[int(np.floor(a * sr)):int(np.ceil(b * sr))] = True
    return mask


def _redaction(start: float, end: float) -> Redaction:
    return Redaction("phone", "[PHONE]", C, 0, 0, 1, start, end, "test")


def test_audio_is_covered_on_every_channel_and_untouched_elsewhere():
    sr = 8000
    x = (np.random.default_rng(1).standard_normal((3 * sr, 2)) * 0.1).astype(np.float32)
    redactions = [_redaction(0.5, 0.9), _redaction(0.95, 1.2), _redaction(2.0, 2.4)]
    y = redact_audio(x, sr, redactions)
    assert y.dtype == np.float32 and y.shape == x.shape and y is not x
    mask = _span_mask(len(x), sr, [(0.4, 1.3), (1.9, 2.5)])  # pad_s 0.1, the two first merged
    assert np.array_equal(y[~mask], x[~mask])
    assert not np.array_equal(y[mask], x[mask])
    for channel in range(2):
        freq, rms = _tone_level(y[int(0.45 * sr):int(1.25 * sr), channel], sr)
        assert abs(freq - 1000) < 5
        assert rms == pytest.approx(10 ** (-12 / 20) / np.sqrt(2), rel=0.02)  # -12 dBFS peak sine
    assert np.max(np.abs(np.diff(y[:, 0]))) < 0.9  # edges are faded, not cut
    assert np.array_equal(x, (np.random.default_rng(1).standard_normal((3 * sr, 2)) * 0.1).astype(np.float32))


def test_silence_mode_mutes_and_mono_works():
    sr = 16000
    x = (np.random.default_rng(2).standard_normal(2 * sr) * 0.1).astype(np.float32)
    y = redact_audio(x, sr, [_redaction(1.0, 1.5)], RedactionConfig(audio_mode="silence", pad_s=0.0))
    assert np.all(y[int(1.01 * sr):int(1.49 * sr)] == 0)
    assert np.array_equal(y[:sr], x[:sr]) and np.array_equal(y[int(1.5 * sr):], x[int(1.5 * sr):])
    ramp = y[sr:sr + 80]  # 5 ms cross-fade at 16 kHz
    assert np.all(np.abs(ramp) <= np.abs(x[sr:sr + 80]) + 1e-7)


def test_audio_span_reaches_into_the_silence_around_the_words():
    transcript = [seg(H, 0.0, "And your postcode?"), seg(C, 4.0, "ST162DJ."), seg(H, 6.0, "Thanks.")]
    (found,) = find_redactions(transcript)
    assert (found.start_s, found.end_s) == (4.0, 4.3)
    assert (found.audio_start_s, found.audio_end_s) == (2.0, 6.0)  # at most 2 s, never over another word
    assert found.cover(0.1) == (2.0, 6.0)                            # the pad does not add to the gap
    (tight,) = find_redactions([seg(C, 0.0, "My postcode is ST162DJ thanks.")])
    assert tight.cover(0.1) == pytest.approx((0.8, 1.3))              # no gap: the pad reaches into neighbours
    assert audio_spans([tight, found], RedactionConfig(pad_s=0.1)) == [tight.cover(0.1), (2.0, 6.0)]


def test_redact_audio_refuses_integer_samples():
    with pytest.raises(ValueError, match="floating point"):
        redact_audio(np.zeros(100, dtype=np.int16), 8000, [])


# ---------------------------------------------------------------- real speech


def _normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower())


def test_real_speech_details_cannot_be_heard_after_redaction(analyzer, tmp_path):
    """Transcribe synthesized speech with planted details, redact, transcribe again: the details
    must be gone from what the recogniser hears, the rest of the call must not."""
    before = analyzer.analyze(FIXTURE, layout="mono")
    redactions = find_redactions(before.transcript)
    assert {r.category for r in redactions} >= {"name", "phone", "postcode", "vehicle_reg"}
    heard = _normalised(" ".join(s.text for s in before.transcript))
    # (the phone number's leading "oh" is heard on some CPUs and not on others)
    assert "daniel" in heard and "7700900" in heard.replace(" ", "") and "st16" in heard.replace(" ", "")

    samples, sr = sf.read(FIXTURE, dtype="float32")
    covered = redact_audio(samples, sr, redactions)
    out = tmp_path / "redacted.wav"
    sf.write(out, covered, sr, subtype="PCM_16")
    after = analyzer.analyze(out, layout="mono")
    text = _normalised(" ".join(s.text for s in after.transcript))
    squashed = text.replace(" ", "")
    surname = next(w for s in before.transcript for w in s.words if w.text.strip(" .,").lower().startswith("har"))
    for gone in ["daniel", "hargreaves", _normalised(surname.text).strip(), "klm"]:
        assert gone not in text, (gone, text)
    for gone in ["07700", "0770", "7700", "900123", "123", "st16", "2dj", "17klm", "07klm"]:
        assert gone not in squashed, (gone, text)
    # The cover never reaches the words around the details: every word of the first transcript
    # outside the redactions keeps at least half its time uncovered (a neighbour may lose a
    # syllable: "registration" -> "registry", where the cover takes in the silence before a
    # late-timed detail and the neighbour's own end time is early).
    spans = audio_spans(redactions)
    neighbours = 0
    for seg in before.transcript:
        for w in seg.words:
            middle = (w.start_s + w.end_s) / 2
            if w.end_s <= w.start_s or any(r.start_s <= middle <= r.end_s for r in redactions):
                continue   # a word of a detail itself
            neighbours += 1
            overlap = sum(max(0.0, min(b, w.end_s) - max(a, w.start_s)) for a, b in spans)
            assert overlap <= 0.5 * (w.end_s - w.start_s), (w.text, w.start_s, w.end_s, spans)
    assert neighbours >= 30
    # What the recogniser still hears: the words around the details, with a margin, because the
    # recogniser's output differs slightly between CPUs (on one, the cover's tone made it write
    # "..." for the rest of a turn it heard in full before).
    kept = [phrase for phrase in ["police", "how can i help", "scratch", "phone number", "postcode", "regist",
                                  "officer", "call you back"] if phrase in text.replace("post code", "postcode")]
    assert len(kept) >= 6, (kept, text)

    mask = _span_mask(len(samples), sr, audio_spans(redactions))
    assert np.array_equal(covered[~mask], samples[~mask])
    postcode = next(r for r in redactions if r.category == "postcode")
    a, b = postcode.cover(RedactionConfig().pad_s)
    inside = covered[int((a + 0.05) * sr):int((b - 0.05) * sr)]
    freq, rms = _tone_level(inside, sr)
    assert abs(freq - 1000) < 5 and rms == pytest.approx(10 ** (-12 / 20) / np.sqrt(2), rel=0.05)


def test_overlapping_hits_leave_no_word_of_either_visible():
    from callqa.panel.redact import _Hit, _resolve

    hits = [_Hit("phone", "p", 0, 3, 5), _Hit("name", "n", 0, 2, 7), _Hit("name", "m", 0, 7, 8)]
    assert [(h.category, h.lo, h.hi) for h in _resolve(hits)] == [("name", 2, 3), ("phone", 3, 5), ("name", 5, 8)]


def test_the_reply_to_an_address_question_is_hidden_from_the_house_number():
    """tiny.en heard "14 Nolan Stone" as "14 no length stone": no street suffix, but the question says."""
    transcript = [seg(H, 0.0, "Staffordshire Police, what's the address of your emergency?"),
                  seg(C, 3.0, "14 no length stone. There's a man outside."),
                  seg(H, 30.0, "Where are you now?"), seg(C, 31.0, "I'm at 22 Oak Road Stafford near the shop.")]
    out, found = redact_result({"transcript": [s.to_dict() for s in transcript]})
    assert [s["text"] for s in out["transcript"]][1::2] == \
        ["[ADDRESS]. There's a man outside.", "I'm at [ADDRESS] Stafford near the shop."]
    assert {r.rule for r in found} == {"address.answer", "address.number_street"}
    # Not an address: the reply does not open with a house number, or the number stands alone.
    for reply in ("I don't know, 5 minutes away from here.", "5.", "Number 5."):
        assert find_redactions([seg(H, 0.0, "What's the address?"), seg(C, 2.0, reply)]) == [], reply


# ---------------------------------------------------------------- what recognisers write
# Recognisers other than Whisper write lower case, no punctuation and spoken numbers. Each case
# below was missed by the capital-letter rules (a reviewer's measurement: recall 0.82 on 73 items).


def dialogue(*turns: tuple[str, str]) -> list[Segment]:
    """Alternating turns, 1 s apart, each word WORD_S long."""
    out, t = [], 0.0
    for speaker, text in turns:
        out.append(seg(speaker, t, text))
        t = out[-1].end_s + 1.0
    return out


def redacted_dialogue(*turns: tuple[str, str]) -> tuple[list[str], list[Redaction]]:
    out, found = redact_result({"transcript": [s.to_dict() for s in dialogue(*turns)]})
    return [s["text"] for s in out["transcript"]], found


@pytest.mark.parametrize("said,redacted", [
    ("my neighbour sarah jones saw it", "my neighbour [NAME] saw it"),
    ("its 14 meadow lane stafford", "its [ADDRESS] stafford"),
    ("yeah the postcode is st16 2dh", "yeah the postcode is [POSTCODE]"),
    ("i live in stafford st16 2dh", "i live in stafford [POSTCODE]"),
    ("it was ab12 cde and it drove off", "it was [VEHICLE REG] and it drove off"),
    ("the plate was y r seventeen k l m", "the plate was [VEHICLE REG]"),
    ("its s t sixteen two d h", "its [POSTCODE]"),
    ("my name is wojciech nowak", "my name is [NAME]"),
    ("hi its wojciech nowak speaking", "hi its [NAME] speaking"),
    ("Tyler pushed him over.", "[NAME] pushed him over."),
    ("it was tyler again", "it was [NAME] again"),
    ("its john dot smith at gmail dot com", "its [EMAIL]"),
    ("yeah john smith eighty two at hotmail dot co dot uk", "yeah [EMAIL]"),
    ("my number is oh seven seven double oh nine hundred one two three", "my number is [PHONE]"),
])
def test_lower_case_spoken_forms(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "can you send someone to the park",
    "there were 3 lads down the lane",
    "i will ring back at half 5",
    "it cost me about 400 pounds",
    "may i ask what happened",
    "the lad was wearing a green hoodie",
    "they went off towards stone",
    "it was about ten past eleven",
])
def test_lower_case_traps_are_left_alone(said):
    assert redacted_texts(said) == [said]


def test_a_surname_said_alone_after_the_question_is_a_name():
    texts, found = redacted_dialogue((H, "Can I take your surname?"), (C, "Okafor."), (H, "Thank you."))
    assert texts == ["Can I take your surname?", "[NAME].", "Thank you."]
    texts, _ = redacted_dialogue((H, "and your surname please"), (C, "its brennan"), (H, "lovely thanks"))
    assert texts == ["and your surname please", "its [NAME]", "lovely thanks"]


def test_a_spoken_date_of_birth():
    texts, _ = redacted_dialogue((H, "and your date of birth"), (C, "third of the tenth eighty two"))
    assert texts == ["and your date of birth", "[DOB]"]
    texts, _ = redacted_dialogue((H, "whats your dob"), (C, "its the fifth of june nineteen ninety"))
    assert texts == ["whats your dob", "its [DOB]"]


def test_a_street_once_an_address_is_hidden_everywhere_in_the_call_text_and_audio():
    turns = [(H, "What's the address?"), (C, "It's 22 Oak Road, Stafford."),
             (H, "Okay, officers are coming to Oak Road now."), (C, "thanks they're still on oak road")]
    texts, found = redacted_dialogue(*turns)
    assert texts == ["What's the address?", "It's [ADDRESS], Stafford.", "Okay, officers are coming to [ADDRESS] now.",
                     "thanks they're still on [ADDRESS]"]
    segments = dialogue(*turns)
    later = [r for r in found if r.segment_index in (2, 3)]
    assert [(r.category, r.segment_index) for r in later] == [("address", 2), ("address", 3)]
    for r in later:  # the same moments are covered in the audio
        words = segments[r.segment_index].words[r.word_start:r.word_end]
        assert [w.text.strip(" .,").lower() for w in words] == ["oak", "road"]
        a, b = r.cover(0.1)
        assert a <= words[0].start_s and b >= words[-1].end_s
        assert any(x <= a and b <= y for x, y in audio_spans(found))
    # Since round four of issue 13 a named street is an address even where nobody gave it as one
    # (it places the incident, and a caller near it): blind3's convention, which this test used to contradict.
    assert redacted_texts("it was on oak road") == ["it was on [ADDRESS]"]


def test_a_name_once_known_is_hidden_everywhere_in_the_call():
    texts, _ = redacted_dialogue((C, "my name is sarah nowak"), (H, "okay sarah whats happened"),
                                 (C, "my ex mr nowak wont leave"), (H, "is nowak his name as well"))
    assert texts == ["my name is [NAME]", "okay [NAME] whats happened", "my ex mr [NAME] wont leave",
                     "is [NAME] his name as well"]


def test_a_street_the_recogniser_joined_to_its_house_number_is_still_hidden_everywhere():
    """tiny.en wrote "Thirty Hill Street" as "30-hill street," (sample_audio/late_answer_999.wav)."""
    texts, _ = redacted_dialogue((H, "What's the address?"), (C, "30-hill street, kids grow."),
                                 (H, "So just to confirm, help is coming to Hill Street now."))
    assert texts == ["What's the address?", "[ADDRESS], kids grow.", "So just to confirm, help is coming to [ADDRESS] now."]


def test_a_first_name_before_a_street_suffix_is_a_street():
    # A street, not a name; and since round four every named street is hidden as an address (this
    # test used to expect both kept, from before that policy).
    assert redacted_texts("It was on Victoria Road.") == ["It was on [ADDRESS]."]
    assert redacted_texts("they were behind the flats on clayton lane") == ["they were behind the flats on [ADDRESS]"]
    found = find_redactions([seg(C, 0.0, "It was on Victoria Road.")])
    assert [(r.category, r.rule) for r in found] == [("address", "address.named_street")]


def test_only_the_first_date_after_a_birth_cue_is_the_date_of_birth():
    texts, _ = redacted_dialogue((H, "whats his date of birth"), (C, "the fourth of january two thousand and ten"),
                                 (H, "when did it start"), (C, "on the twentieth of may"))
    assert texts == ["whats his date of birth", "[DOB]", "when did it start", "on the twentieth of may"]


def test_postcode_and_plate_shapes_are_told_apart():
    texts, found = redacted_dialogue((H, "did you get the registration"), (C, "yeah it was w f sixty eight o p x"),
                                     (H, "and your postcode"), (C, "w s eleven two r p"))
    assert texts == ["did you get the registration", "yeah it was [VEHICLE REG]", "and your postcode", "[POSTCODE]"]
    assert [r.category for r in found] == ["vehicle_reg", "postcode"]


def test_the_tuning_benchmark_holds():
    """bench/bench_redaction.py on its tuning calls (tune, heldout and blind .. blind5 have all been
    tuned on; the measure-only blind6 split is never read by tests)."""
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:  # plain `pytest` does not put the project root on the path
        sys.path.insert(0, root)
    from bench.bench_redaction import UNMARKED_STREETS, hidden_by_rules, load, score

    splits = (("tune", 0.98), ("heldout", 0.98), ("blind", 0.98), ("blind2", 0.98), ("blind3", BLIND3_RECALL),
              ("blind4", BLIND4_RECALL), ("blind5", BLIND5_RECALL))
    for split, recall in splits:
        s = score(load(split), hidden_by_rules, unmarked_streets=split in UNMARKED_STREETS)
        items, found = sum(s.total.values()), sum(s.found.values())
        right, wrong = sum(s.right.values()), sum(s.wrong.values())
        assert found / items >= recall and right / (right + wrong) >= 0.98, (split, s.misses, s.false_positives)
        assert s.benign_hit <= {"blind3": BLIND3_BENIGN, "blind4": BLIND4_BENIGN}.get(split, 0), \
            (split, s.false_positives)


BLIND3_RECALL = 0.98   # measured once at 0.840 before round four tuned on it (0.992 after)
BLIND3_BENIGN = 2
BLIND4_RECALL = 0.985  # measured once at 0.851 before round five tuned on it (0.980 after; 0.989 after round six)
BLIND4_BENIGN = 1
BLIND5_RECALL = 0.99   # measured once at 0.951 before round six tuned on it (1.000 after)


# ---------------------------------------------------------------- issue 13, round two: more spoken shapes


@pytest.mark.parametrize("said,redacted", [
    # crime numbers with "stroke" / "forward slash", and the force shape needs no cue
    ("the officer said quote two four stroke one one eight eight three stroke one nine",
     "the officer said quote [REFERENCE]"),
    ("write down one nine forward slash seven seven three two one forward slash two four", "write down [REFERENCE]"),
    ("It's 19/55210/24, I think.", "It's [REFERENCE], I think."),
    # two letters and five or more digits: a force reference or a National Insurance number
    ("my national insurance is j k one two three four five six c", "my national insurance is [REFERENCE]"),
    # "<noun> number": frame, serial, account ...
    ("the serial number on the telly is x b four four nine one two oh",
     "the serial number on the telly is [REFERENCE]"),
    ("his account number was six one two two four nine eight", "his account number was [REFERENCE]"),
    # a mobile said without its leading zero
    ("ring me on seven nine double one two three four five six seven", "ring me on [PHONE]"),
    # an e-mail spelled letter by letter, however long
    ("so thats p r i y a n k a s h a h at yahoo dot com", "so thats [EMAIL]"),
])
def test_more_spoken_shapes(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "my uncle had a stroke in march",
    "he plays golf on sundays at the club",
    "the case was closed in the end",
    "i got the number one bus into town",
    "they live on the estate near the shops",
    "she lives in a flat over the chippy",
    "there is a scheme called the herbert protocol",
    "i was doing seventy five on the motorway",
])
def test_more_traps_are_left_alone(said):
    assert redacted_texts(said) == [said]


def test_a_plate_read_in_the_phonetic_alphabet():
    texts, found = redacted_dialogue((H, "whats the reg of the van"), (C, "erm k l sixty one p t u"),
                                     (H, "so kilo lima six one papa tango uniform"), (C, "a red golf thats it"))
    assert texts == ["whats the reg of the van", "erm [VEHICLE REG]", "so [VEHICLE REG]", "a red golf thats it"]
    # the longest shape wins: "golf" before a plate read out is the car, not a letter of the plate
    assert redacted_texts("a silver golf alpha bravo one two charlie delta echo") == \
        ["a silver golf [VEHICLE REG]"]


def test_a_home_street_said_without_its_number():
    assert redacted_texts("the one who shouts is from number nine") == ["the one who shouts is from [ADDRESS]"]
    assert redacted_texts("i live on pendle grove and it happened by the shop") == \
        ["i live on [ADDRESS] and it happened by the shop"]
    assert redacted_texts("theyre in the end house on talke street i think at number fifty") == \
        ["theyre in the end house on [ADDRESS] i think at [ADDRESS]"]
    # round four: a named street with no number and no home near it is an address too (it used to be kept)
    assert redacted_texts("it happened on pendle grove near the shop") == ["it happened on [ADDRESS] near the shop"]


def test_an_address_that_starts_with_a_house_name():
    texts, _ = redacted_dialogue((H, "and whats your address"), (C, "honeysuckle cottage mill lane"),
                                 (H, "officers will come to mill lane"))
    assert texts == ["and whats your address", "[ADDRESS]", "officers will come to [ADDRESS]"]


def test_a_street_named_like_a_person_is_hidden_again_as_an_address():
    texts, found = redacted_dialogue((H, "What's the address?"), (C, "It's 3 Rosemary Bank."),
                                     (H, "Help is on the way to Rosemary Bank."))
    assert texts[2] == "Help is on the way to [ADDRESS]."
    assert [r.category for r in found] == ["address", "address"]


def test_a_surname_that_comes_later_in_the_reply():
    texts, _ = redacted_dialogue((H, "and his surname"), (C, "same as mine wozniak"), (H, "ok thanks"))
    assert texts == ["and his surname", "same as mine [NAME]", "ok thanks"]


def test_dates_of_birth_said_as_digits_and_read_back():
    texts, _ = redacted_dialogue((H, "whats her dob"), (C, "two eight oh three nine nine"), (H, "thank you"))
    assert texts == ["whats her dob", "[DOB]", "thank you"]
    texts, _ = redacted_dialogue((H, "whats your date of birth"), (C, "ninth of february sixty seven"),
                                 (H, "and the address please"), (C, "four elm close"),
                                 (H, "and just to check thats the ninth of the second sixty seven"),
                                 (C, "yeah it started on the ninth of june"))
    assert texts == ["whats your date of birth", "[DOB]", "and the address please", "[ADDRESS]",
                     "and just to check thats [DOB]", "yeah it started on the ninth of june"]


def test_a_name_said_again_before_an_instruction():
    texts, _ = redacted_dialogue((H, "whats your name"), (C, "amber"),
                                 (H, "ok the police are outside now amber stay put"))
    assert texts == ["whats your name", "[NAME]", "ok the police are outside now [NAME] stay put"]


def test_a_spelling_after_a_repeated_name_goes_with_it():
    texts, _ = redacted_dialogue((C, "my name is mo hussein"), (H, "is that mo m o"), (C, "yes"))
    assert texts == ["my name is [NAME]", "is that [NAME]", "yes"]


def test_the_bench_measures_the_blind6_split_but_never_shows_it(tmp_path, capsys):
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench import bench_redaction

    call = "## x1 a call\nH: whats your name\nC: [name|zebulon quaye]\nH: thanks\n"
    for split in ("tune", "heldout"):
        (tmp_path / f"{split}.txt").write_text(call)
    assert bench_redaction.main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "== blind" not in out      # no files: not in the tables
    # blind .. blind5 have been tuned on (rounds two to six): shown like tune and heldout
    missed = "## x2 a call\nH: hows the weather\nC: [email|sunny spells]\n"   # no rule finds this
    for split, weather in (("blind", "sunny spells"), ("blind2", "heavy showers"), ("blind3", "thick fog"),
                           ("blind4", "hard frost"), ("blind5", "warm breeze")):
        (tmp_path / f"{split}.txt").write_text(missed.replace("sunny spells", weather))
        assert bench_redaction.main(["--data", str(tmp_path), "--split", split, "--show"]) == 0
        assert f"MISS x2 email: '{weather}'" in capsys.readouterr().out
    # blind6 is the measure now: in the default run when its file exists, never shown
    (tmp_path / "blind6.txt").write_text(missed.replace("sunny spells", "light drizzle"))
    assert bench_redaction.main(["--data", str(tmp_path), "--show"]) == 0
    out = capsys.readouterr().out
    assert "== blind6" in out and "recall" in out and "drizzle" not in out   # measured, misses not shown
    assert "== blind " in out and "sunny spells" in out                    # blind is shown
    assert "== blind2" in out and "heavy showers" in out                   # and so are blind2
    assert "== blind3" in out and "thick fog" in out                       # and blind3
    assert "== blind4" in out and "hard frost" in out                      # and blind4
    assert "== blind5" in out and "warm breeze" in out                     # and blind5
    with pytest.raises(SystemExit):
        bench_redaction.main(["--data", str(tmp_path), "--split", "blind6", "--show"])
    # `--split tuning` runs every tuning split and never the measure-only one
    assert bench_redaction.main(["--data", str(tmp_path), "--split", "tuning"]) == 0
    out = capsys.readouterr().out
    assert "== blind5" in out and "== blind6" not in out


def test_the_bench_counts_unmarked_streets_of_the_older_splits_as_neither_right_nor_wrong(tmp_path):
    """Splits written before the named-street convention left a street without its number unmarked
    where something happened; there hiding it is neither a false positive nor benign damage, while
    in the newer splits (and with --strict) it counts."""
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench import bench_redaction
    from bench.bench_redaction import hidden_by_rules, load, score

    (tmp_path / "x.txt").write_text("## x1 a call\nH: where did it happen\nC: outside the chippy on wexcombe road\n"
                                    "H: and your address\nC: [address|nine tarrant lane]\n")
    old = score(load("x", tmp_path), hidden_by_rules, unmarked_streets=True)
    assert sum(old.wrong.values()) == 0 and old.benign_hit == 0
    new = score(load("x", tmp_path), hidden_by_rules)
    assert new.wrong["address"] == 2 and new.benign_hit == 1    # "wexcombe road" is unmarked
    bench_redaction.STRICT = True
    try:
        strict = score(load("x", tmp_path), hidden_by_rules, unmarked_streets=True)
    finally:
        bench_redaction.STRICT = False
    assert strict.wrong["address"] == 2


def test_the_bench_counts_words_marked_either_way_as_neither_right_nor_wrong(tmp_path):
    """"number" before a house number and a log's day are inside items in some splits and outside
    in others; hiding them is neither a false positive nor needed for recall."""
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench.bench_redaction import hidden_by_rules, load, score

    (tmp_path / "x.txt").write_text(
        "## x1 a call\nH: have you got the log number\nC: yes its log [reference|six one nine] of the third\n"
        "H: and where do you live\nC: at number [address|eight larkspur way]\n"
        "H: so its [reference|six one nine of the third] at [address|number eight larkspur way]\n")
    s = score(load("x", tmp_path), hidden_by_rules)
    assert sum(s.found.values()) == 4 and sum(s.wrong.values()) == 0, (s.misses, s.false_positives)


# ---------------------------------------------------------------- issue 13, round two (blind tuned on)


def close_dialogue(*turns: tuple[str, str], gap: float = 0.5) -> list[Segment]:
    """Turns close together: one party's turns either side of a short reply join into one stream."""
    out, t = [], 0.0
    for speaker, text in turns:
        out.append(seg(speaker, t, text))
        t = out[-1].end_s + gap
    return out


def texts_of(segments: list[Segment]) -> list[str]:
    out, _ = redact_result({"transcript": [s.to_dict() for s in segments]})
    return [s["text"] for s in out["transcript"]]


@pytest.mark.parametrize("said,redacted", [
    # a log number goes with the day it was logged
    ("right thats log six one four of yesterday for you", "right thats log [REFERENCE] for you"),
    ("its incident two oh eight of the thirtieth", "its incident [REFERENCE]"),
    ("i have it as log 77 of the 2nd of may", "i have it as log [REFERENCE]"),
    # "logged" is a cue, and a short letter prefix goes with the number
    ("weve logged that under nine three seven one", "weve logged that under [REFERENCE]"),
    ("Logged as KW 7731 of today.", "Logged as [REFERENCE]."),
    ("your reference is tx three nine nine zero", "your reference is [REFERENCE]"),
    ("Your claim reference, QT-771-4420-B.", "Your claim reference, [REFERENCE]."),
    # letters and two slashes need no cue
    ("ill put it down as k w slash two five slash three three eight one", "ill put it down as [REFERENCE]"),
    ("noted under m r t slash g h slash four one one", "noted under [REFERENCE]"),
])
def test_round_two_references(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "it all kicked off at the end of the day",
    "the incident was the worst of the lot",
    "i logged on at nine",
    "log on to the website and/or ring them",
    "the dates were twelve slash oh five slash ninety i think",
    "it was number one of the top ten",
])
def test_round_two_reference_traps(said):
    assert redacted_texts(said) == [said]


@pytest.mark.parametrize("said,redacted", [
    ("its marta dot nowak at onet dot pl", "its [EMAIL]"),
    ("its li wei at one two six dot com", "its [EMAIL]"),
    ("send it to hans at web dot de please", "send it to [EMAIL] please"),
])
def test_emails_with_country_and_digit_domains(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_phone_number_straight_after_another_answer_of_the_same_party():
    texts = texts_of(close_dialogue((H, "dob"), (C, "ninth of the fourth eighty one"), (H, "number"),
                                    (C, "oh one nine two four six three double two oh five")))
    assert texts == ["dob", "[DOB]", "number", "[PHONE]"]


def test_a_doubled_letter_in_a_postcode_and_no_code_across_the_other_party():
    texts = texts_of(close_dialogue((H, "and the address"), (C, "nine plover close w v ten four double e"),
                                    (H, "ok"), (C, "a man ran off")))
    assert texts == ["and the address", "[ADDRESS] [POSTCODE]", "ok", "a man ran off"]
    assert redacted_texts("can you bring double a batteries") == ["can you bring double a batteries"]


def test_a_cue_word_is_no_part_of_a_plate():
    assert redacted_texts("a silver audi q three reg bravo tango one nine kilo lima oscar") == \
        ["a silver audi q three reg [VEHICLE REG]"]


def test_names_with_accented_letters():
    texts, _ = redacted_dialogue((H, "What's his name?"), (C, "Jiří Dvořák."), (H, "And yours?"), (C, "Siân Prýce."))
    assert texts == ["What's his name?", "[NAME].", "And yours?", "[NAME]."]


def test_name_replies_round_two():
    texts, _ = redacted_dialogue((H, "and her surname"), (C, "i think its featherstonehaugh"))
    assert texts == ["and her surname", "i think its [NAME]"]       # "i" is no one-letter spelling
    texts, _ = redacted_dialogue((H, "whats your name"), (C, "dennis park"))
    assert texts == ["whats your name", "[NAME]"]                    # a surname that is a street word
    texts, _ = redacted_dialogue((H, "whats the landlords name"), (C, "george cotton hes never there"))
    assert texts == ["whats the landlords name", "[NAME] hes never there"]
    texts, _ = redacted_dialogue((H, "whats his name"), (C, "george said hes not coming"))
    assert texts == ["whats his name", "[NAME] said hes not coming"]


def test_follow_up_questions_ask_again():
    texts, _ = redacted_dialogue((H, "whats the other drivers name"), (C, "tobiah quarme"), (H, "and yours"),
                                 (C, "zenon quarme"))
    assert texts == ["whats the other drivers name", "[NAME]", "and yours", "[NAME]"]
    texts, _ = redacted_dialogue((H, "whats your date of birth"), (C, "second of may eighty"),
                                 (H, "and for your husband if you know it"), (C, "tenth of october seventy eight"),
                                 (H, "when did it start"), (C, "on the third of june"))
    assert texts == ["whats your date of birth", "[DOB]", "and for your husband if you know it", "[DOB]",
                     "when did it start", "on the third of june"]


def test_a_name_spelled_again_and_a_name_that_is_a_modal_verb():
    texts, _ = redacted_dialogue((H, "your name"), (C, "bo zhou"), (H, "and is that b o"), (C, "yes"))
    assert texts == ["your name", "[NAME]", "and is that [NAME]", "yes"]
    texts, _ = redacted_dialogue((C, "my name is will"), (H, "thank you will whats your postcode"),
                                 (C, "yes will do"))
    assert texts == ["my name is [NAME]", "thank you [NAME] whats your postcode", "yes will do"]


def test_towns_and_forces_named_like_people_stay():
    texts, _ = redacted_dialogue((H, "Address?"), (C, "12 Larch Rise, Chester, CH2 4QD."),
                                 (C, "We drove to my sister's in Chester."))
    assert texts == ["Address?", "[ADDRESS], Chester, [POSTCODE].", "We drove to my sister's in Chester."]
    assert redacted_texts("hi youre through to devon and cornwall police") == \
        ["hi youre through to devon and cornwall police"]
    assert redacted_texts("She was in Barry's car.") == ["She was in [NAME]'s car."]


@pytest.mark.parametrize("said,redacted", [
    ("eleven primrose bank street", "[ADDRESS]"),                          # two suffixes
    ("three one five grange road", "[ADDRESS]"),                            # a house number digit by digit
    ("forty four maryhill road flat two over one", "[ADDRESS]"),             # a Glasgow flat (2/1) after it
    ("Flat 12, Larkin Tower, 3 Mill Approach, Leeds.", "[ADDRESS], Leeds."),  # a flat in a named building
    ("It's 7 Ffordd Glyndwr, Wrexham.", "It's [ADDRESS], Wrexham."),       # a Welsh street
])
def test_round_two_addresses(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_bare_house_number_next_to_an_address():
    assert redacted_texts("my brother is at sixty one ash grove and im at sixty three") == \
        ["my brother is at [ADDRESS] and im at [ADDRESS]"]
    texts, _ = redacted_dialogue((H, "whats your address"), (C, "four ash grove"), (H, "and the neighbours"),
                                 (C, "theyre at two hundred and six"), (C, "shes at ten percent battery"))
    assert texts == ["whats your address", "[ADDRESS]", "and the neighbours", "theyre at [ADDRESS]",
                     "shes at ten percent battery"]
    assert redacted_texts("shes at ten now") == ["shes at ten now"]      # no address given: a time


# ---------------------------------------------------------------- issue 13, round three (blind2 tuned on)


@pytest.mark.parametrize("said,redacted", [
    # letters said as words inside a spelled code ("tee", "zed", "are", "why"), and "oh" as the letter O
    ("its n e twelve four tee zed", "its [POSTCODE]"),
    ("s k nine one a are", "[POSTCODE]"),
    ("a grey qashqai y k sixty nine oh b c", "a grey qashqai [VEHICLE REG]"),
    ("they drove a battered old corsa g f l three one one why", "they drove a battered old corsa [VEHICLE REG]"),
    # a plate read in the phonetic alphabet with "double" and "x ray"
    ("its bravo kilo one four double tango x ray", "its [VEHICLE REG]"),
])
def test_letters_said_as_words_in_codes(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "i said are you alright and he said why",
    "see you at ten then",
    "oh be quiet",
    "it was an m six you know the motorway",
])
def test_letter_words_outside_codes_stay(said):
    assert redacted_texts(said) == [said]


def test_a_plate_after_its_cue_with_words_between_or_spelled_a_and_i():
    assert redacted_texts("the reg began with w r seventy i think") == ["the reg began with [VEHICLE REG] i think"]
    assert redacted_texts("a cherished plate m i k four a") == ["a cherished plate [VEHICLE REG]"]
    assert redacted_texts("i couldnt read the plate i was too far") == ["i couldnt read the plate i was too far"]


def test_a_private_plate_spelled_after_a_vehicle():
    assert redacted_texts("a white range rover parked outside d e v one") == \
        ["a white range rover parked outside [VEHICLE REG]"]
    assert redacted_texts("he drove off in a bmw x five") == ["he drove off in a bmw x five"]
    assert redacted_texts("a silver van was parked by the shop") == ["a silver van was parked by the shop"]


@pytest.mark.parametrize("said,redacted", [
    # an extension goes with the number
    ("the office is oh one two one four nine six three eight two two extension four five",
     "the office is [PHONE]"),
    ("Ring 0113 496 0771 ext 203.", "Ring [PHONE]."),
    # a filler inside the number
    ("its oh seven seven erm one nine two three four five six", "its [PHONE]"),
    # "plus" and a country code other than 44
    ("my irish mobile is plus three five three eight six one two three four five six seven",
     "my irish mobile is [PHONE]"),
])
def test_phone_numbers_with_extensions_fillers_and_country_codes(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_number_said_across_the_other_partys_question_is_read_in_parts():
    texts, found = redacted_dialogue((H, "and his dob"), (C, "oh one oh two seventy one"), (H, "mobile"),
                                     (C, "oh seven four double oh one two three four five six"))
    assert texts == ["and his dob", "[DOB]", "mobile", "[PHONE]"]
    assert [r.category for r in found] == ["date_of_birth", "phone"]


@pytest.mark.parametrize("said,redacted", [
    # a number said with the day it was logged needs no cue
    ("youll get a call about six oh two of today", "youll get a call about [REFERENCE]"),
    ("i rang before and it was eight one nine three of the second", "i rang before and it was [REFERENCE]"),
    # "cad" opens a reference like "log"
    ("the cad was three three one seven", "the cad was [REFERENCE]"),
    # a crime number with the force's letters after the year, in the phonetic alphabet
    ("its two four kilo mike slash three three nine zero one slash one one", "its [REFERENCE]"),
    # two letters and digits read in the phonetic alphabet
    ("write down echo lima four four one nine two zero", "write down [REFERENCE]"),
    # a written code of letters and dashed digit groups
    ("Your reference is WM-20240917-3321.", "Your reference is [REFERENCE]."),
    ("I've written PS-0042-7719 on the form.", "I've written [REFERENCE] on the form."),
])
def test_round_three_references(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "there were about three hundred of them",
    "he was one of the first there",
    "it happened on the third of the fourth",
    "we got two of the four back",
])
def test_counts_and_dates_are_no_logged_day(said):
    assert redacted_texts(said) == [said]


@pytest.mark.parametrize("said,redacted", [
    # a street straight before a postcode, with or without a number, whatever its words
    ("were on ravensworth avenue n e ten eight q t", "were on [ADDRESS] [POSTCODE]"),
    ("nine sunny day lane l s seventeen six b w", "[ADDRESS] [POSTCODE]"),
    # a second suffix and a side after the street
    ("twenty one church hill court", "[ADDRESS]"),
    ("six stockport road west", "[ADDRESS]"),
    # a home said by its name
    ("my sister lives at rowan cottage", "my sister lives at [ADDRESS]"),
    ("the lad from the old smithy did it", "the lad from [ADDRESS] did it"),
])
def test_round_three_addresses(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "we had a meal at the old mill",
    "the kids were playing at the farm",
    "the road south of the river was shut",
    "we walked along the grove and up the hill",
    "he might be heading to the old church",
])
def test_round_three_address_traps(said):
    assert redacted_texts(said) == [said]


def test_a_house_name_in_reply_to_where_are_you():
    texts, _ = redacted_dialogue((H, "where are you now"), (C, "high fell barn up past the quarry"))
    assert texts == ["where are you now", "[ADDRESS] up past the quarry"]
    texts, _ = redacted_dialogue((H, "whereabouts are you"), (C, "the one next to the chemist on the high street"))
    assert texts == ["whereabouts are you", "the one next to the chemist on the high street"]


def test_a_named_friend_and_the_street_they_are_on():
    assert redacted_texts("she went round to her mate amber on fenwick close") == \
        ["she went round to her mate [NAME] on [ADDRESS]"]


@pytest.mark.parametrize("said,redacted", [
    # a name straight after who the person is
    ("My partner, Eluned, has the keys.", "My partner, [NAME], has the keys."),
    ("its my nephew storm hes only twelve", "its my nephew [NAME] hes only twelve"),
    ("ask my daughter hope", "ask my daughter [NAME]"),
    # "in the name (of)", an initial before the surname
    ("The booking was in the name of R Okonkwo.", "The booking was in the name of [NAME]."),
    # "saint" inside a surname, a double-barrelled surname
    ("the officer is called pc maria saint clair", "the officer is called pc [NAME]"),
    ("it was siobhan hartley-mbeki who rang", "it was [NAME] who rang"),
])
def test_round_three_names(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "my husband will be home soon",
    "her boyfriend though hes alright",
    "our neighbour opposite hes got cameras",
    "my son again hes being a pain",
    "a black seat leon pulled up",
    "hes a jack russell cross",
])
def test_round_three_name_traps(said):
    assert redacted_texts(said) == [said]


def test_a_hidden_name_spelled_again_with_a_hyphen_or_in_the_phonetic_alphabet():
    texts, _ = redacted_dialogue((H, "whats your name"), (C, "layla ben ali"), (H, "spell the surname"),
                                 (C, "b e n hyphen a l i"), (H, "and your first name"),
                                 (C, "lima alpha yankee lima alpha"))
    assert texts == ["whats your name", "[NAME]", "spell the surname", "[NAME]", "and your first name", "[NAME]"]


def test_a_business_after_a_name_stays():
    texts, _ = redacted_dialogue((H, "whats the name on the van"), (C, "gary tomlin plumbing"))
    assert texts == ["whats the name on the van", "[NAME] plumbing"]


@pytest.mark.parametrize("said,redacted", [
    ("its nadia at kingsley dunn solicitors dot co dot uk", "its [EMAIL]"),   # a domain of several words
    ("email is tomasz k at o two dot p l", "email is [EMAIL]"),                   # a country code spelled
    ("it was ade at me dot com", "it was [EMAIL]"),                              # "me" as the domain
    ("send it to my work one and another one priya underscore s at gmail dot com",
     "send it to my work one and another one [EMAIL]"),                           # a count is no part of it
])
def test_round_three_emails(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_date_of_birth_corrected_as_it_is_said():
    texts, _ = redacted_dialogue((H, "date of birth"), (C, "the fifth of may ninety no ninety one"))
    assert texts == ["date of birth", "[DOB]"]
    texts, _ = redacted_dialogue((H, "and your dob"), (C, "third of june sorry fourth of june seventy"))
    assert texts == ["and your dob", "[DOB]"]
    texts, _ = redacted_dialogue((H, "date of birth"), (C, "ninth of july eighty no wait i need to check"))
    assert texts == ["date of birth", "[DOB] no wait i need to check"]


def test_a_name_after_calling_or_called_and_an_object():
    assert redacted_texts("the tall one kept calling the other one jonno") == \
        ["the tall one kept calling the other one [NAME]"]
    assert redacted_texts("they called him tizer at school") == ["they called him [NAME] at school"]
    assert redacted_texts("im calling about my car") == ["im calling about my car"]
    assert redacted_texts("there is a scheme called the herbert protocol") == \
        ["there is a scheme called the herbert protocol"]


def test_a_name_said_again_with_its_surname_this_time():
    texts, _ = redacted_dialogue((C, "the driver was called wyn"), (H, "ok"),
                                 (C, "it says wyn pritchard haulage on the lorry"))
    assert texts == ["the driver was called [NAME]", "ok", "it says [NAME] haulage on the lorry"]


def test_a_house_name_and_its_street():
    assert redacted_texts("I live at Bramble Cottage, Mill Lane, near Otley.") == \
        ["I live at [ADDRESS], near Otley."]


def test_partial_plates_and_reference_letters_after_a_cue():
    assert redacted_texts("the reg finished with p q r") == ["the reg finished with [VEHICLE REG]"]
    assert redacted_texts("registration mike november six two and then i lost it") == \
        ["registration [VEHICLE REG] and then i lost it"]
    assert redacted_texts("the reference is three three eight one two charlie") == ["the reference is [REFERENCE]"]
    assert redacted_texts("i never saw the reg at all") == ["i never saw the reg at all"]


def test_a_name_after_a_role():
    assert redacted_texts("the warden gethin let me in") == ["the warden [NAME] let me in"]
    assert redacted_texts("the driver stopped and got out") == ["the driver stopped and got out"]
    assert redacted_texts("the manager will ring you back") == ["the manager will ring you back"]


# ---------------------------------------------------------------- issue 13, round four (blind3 tuned on)


@pytest.mark.parametrize("said,redacted", [
    # policy: a named street is an address item even without a house number
    ("they ran off towards quenby road", "they ran off towards [ADDRESS]"),
    ("on the corner of tannery lane and cobden street", "on the corner of [ADDRESS] and [ADDRESS]"),
    ("he was walking down old ashby road with a bag", "he was walking down [ADDRESS] with a bag"),
    ("Two lads were fighting outside the bakery on Pennine Avenue.",
     "Two lads were fighting outside the bakery on [ADDRESS]."),
    ("the van went along leicester road", "the van went along [ADDRESS]"),   # a town's name before the suffix
    ("were heading onto heol y dderwen now", "were heading onto [ADDRESS] now"),   # Welsh: the street word first
    ("its on ffordd glanrafon", "its on [ADDRESS]"),
    # the word that leads to a street is no part of it
    ("an officer will visit marston close on monday", "an officer will visit [ADDRESS] on monday"),
    ("Heading to Gorsey Lane now.", "Heading to [ADDRESS] now."),
])
def test_a_named_street_is_an_address_without_its_number(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "they went down the lane towards the park",
    "its in the close behind the shops",
    "they were on the high street near the bank",
    "he lives up the main road somewhere",
    "take the ring road and come off at the a twelve",
    "we parked on a side road by the station",
    "its the same lane as before",
    "i walked there by the way",
    "she was in the car park at the leisure centre",
    "the margate train was late",
])
def test_plain_words_for_roads_stay(said):
    assert redacted_texts(said) == [said]


def test_a_cased_call_needs_a_capital_for_a_named_street():
    # In a transcript with capitals a street's name is capitalised: "the back road" said in lower case is a description.
    assert redacted_texts("It happened on the old road, by the tip.") == ["It happened on the old road, by the tip."]
    assert redacted_texts("It happened on Tipton Road, by the tip.") == ["It happened on [ADDRESS], by the tip."]


def test_a_first_name_and_a_street_word_said_alone_is_still_a_person():
    texts, found = redacted_dialogue((H, "whats her name"), (C, "deborah hill"), (H, "thanks"))
    assert texts == ["whats her name", "[NAME]", "thanks"] and [r.category for r in found] == ["name"]
    assert redacted_texts("she was up on deborah hill") == ["she was up on [ADDRESS]"]


@pytest.mark.parametrize("said,redacted", [
    # a flat said by its number alone, or with its building or site
    ("its flat eleven same block as before", "its [ADDRESS] same block as before"),
    ("flat twenty two kenmore house on the third floor", "[ADDRESS] on the third floor"),
    ("we are in caravan sixteen at brookfield leisure park", "we are in [ADDRESS]"),
    ("flat four b sixty one garton road", "[ADDRESS]"),   # flat 4b, then the house number
    # not a flat number
    ("the battery was flat two days running", "the battery was flat two days running"),
    ("i live in a flat five minutes away", "i live in a flat five minutes away"),
])
def test_flats_said_by_their_number(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said,redacted", [
    # a home, farm or estate said by its name anywhere
    ("the sheep got out at lower tregothnan farm last night", "the sheep got out at [ADDRESS] last night"),
    ("nether crossley farm down past the ford", "[ADDRESS] down past the ford"),
    ("theyre on the pellon green estate by the garages", "theyre on the [ADDRESS] by the garages"),
    ("its up at plas gwynant the big house", "its up at [ADDRESS] the big house"),
    ("my nan lives at pen y waun near the chapel", "my nan lives at [ADDRESS] near the chapel"),
    ("the old rectory mill walk in bampton", "the [ADDRESS] in bampton"),
])
def test_homes_farms_and_estates_said_by_name(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "he drives a grey skoda estate with a roof rack",
    "they moved to a council estate years ago",
    "the dairy farm down the road sells eggs",
    "shes at her mums house tonight",
    "we stopped at a holiday cottage",
    "he was on about bryn davies again",   # a first name, not a Welsh home
])
def test_descriptions_of_homes_stay(said):
    assert redacted_texts(said) == [said]


def test_a_house_name_in_reply_to_the_address_question():
    texts, _ = redacted_dialogue((H, "and whats your address"), (C, "larch house top road"), (H, "lovely"))
    assert texts == ["and whats your address", "[ADDRESS]", "lovely"]


def test_a_house_number_in_reply_to_a_question_naming_the_street():
    texts, _ = redacted_dialogue((H, "are you on mossley street yourself"), (C, "yeah at sixty one by the bins"),
                                 (H, "is that at ten"), (C, "yes at ten tonight"))
    assert texts == ["are you on [ADDRESS] yourself", "yeah at [ADDRESS] by the bins", "is that at ten",
                     "yes at ten tonight"]


@pytest.mark.parametrize("said,redacted", [
    # letters explained with a word ("f for freddie", "e as in echo")
    ("its d for dog k for kite six two r for robert t for tom u for umbrella", "its [VEHICLE REG]"),
    ("the reg is s as in sugar g as in golf seven one p as in papa l m", "the reg is [VEHICLE REG]"),
])
def test_a_plate_spelled_with_words_for_its_letters(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_plate_corrected_or_with_a_filler_as_it_is_said():
    texts, _ = redacted_dialogue((H, "did you get the reg"), (C, "yeah y k sixty one no sorry sixty two h t r"),
                                 (H, "and the other car"), (C, "a red fiesta l m um six eight e x p"))
    assert texts == ["did you get the reg", "yeah [VEHICLE REG]", "and the other car", "a red fiesta [VEHICLE REG]"]
    assert redacted_texts("The plate was GF21 KXP, no, sorry, KXR.") == ["The plate was [VEHICLE REG]."]


def test_part_of_a_plate_is_a_plate():
    texts, _ = redacted_dialogue((H, "did you see the registration"), (C, "only that it ends t w d"),
                                 (H, "anything else"), (C, "the start was h l and then seven two"))
    assert texts == ["did you see the registration", "only that it ends [VEHICLE REG]", "anything else",
                     "the start was [VEHICLE REG] and then seven two"]
    texts, _ = redacted_dialogue((H, "any of the regs"), (C, "a partial on a red one p k nineteen"))
    assert texts == ["any of the regs", "a partial on a red one [VEHICLE REG]"]
    # no vehicle talked about: letters after "ends" stay
    assert redacted_texts("the film ends at ten and the bus at half past") == \
        ["the film ends at ten and the bus at half past"]


def test_a_phone_number_corrected_as_it_is_said():
    texts, _ = redacted_dialogue((H, "whats your number"),
                                 (C, "oh seven nine one one four four two six no sorry two seven three three"))
    assert texts == ["whats your number", "[PHONE]"]
    texts, _ = redacted_dialogue((H, "and a contact number"),
                                 (C, "oh one six three two five five eight nine one two no hang on its one three"))
    assert texts == ["and a contact number", "[PHONE]"]


def test_a_phone_number_in_reply_is_a_phone_number_after_a_reference():
    texts, found = redacted_dialogue((H, "your reference is l d two two oh four eight one six"), (C, "ta"),
                                     (H, "and a number for you"),
                                     (C, "oh one nine four two seven seven three one two five"))
    assert texts[3] == "[PHONE]" and [r.category for r in found][-1] == "phone"


def test_the_rest_of_a_code_said_in_the_next_turn():
    texts, found = redacted_dialogue((H, "whats the postcode"), (C, "s k nine"), (H, "and the rest of it"),
                                     (C, "four d q"), (H, "thanks"))
    assert texts == ["whats the postcode", "[POSTCODE]", "and the rest of it", "[POSTCODE]", "thanks"]
    assert [r.category for r in found] == ["postcode", "postcode"]


def test_a_case_number_in_reply():
    texts, _ = redacted_dialogue((H, "have you got the case number"), (C, "yes its t r one nine k oh four four two"))
    assert texts == ["have you got the case number", "yes its [REFERENCE]"]


@pytest.mark.parametrize("said,redacted", [
    ("the twelfth o june nineteen seventy", "[DOB]"),             # "o" for "of"
    ("nineteen eighty four the third of may", "[DOB]"),           # the year first
    ("2001, the 9th of October", "[DOB]"),
])
def test_dates_of_birth_in_more_orders(said, redacted):
    texts, _ = redacted_dialogue((H, "whats your date of birth"), (C, said))
    assert texts == ["whats your date of birth", redacted]


@pytest.mark.parametrize("said,redacted", [
    # nicknames: any word after the cue
    ("everyone round here calls him biscuit", "everyone round here calls him [NAME]"),
    ("theres a lad they call zippy who sells it", "theres a lad they call [NAME] who sells it"),
    ("her name is rebecca but she goes by becks", "her name is [NAME] but she goes by [NAME]"),
    ("the older one is known as little j i think", "the older one is known as [NAME] i think"),
    ("my mate big gaz saw it all", "my mate [NAME] saw it all"),
    # not nicknames
    ("i told him to call him back later", "i told him to call him back later"),
    ("she goes by bus most days", "she goes by bus most days"),
    ("its what is known as a ponzi scheme", "its what is known as a ponzi scheme"),
    ("we have a spaniel and shes called pickle", "we have a spaniel and shes called pickle"),
])
def test_nicknames(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_name_spelled_after_it_is_read_out():
    assert redacted_texts("the letter was for tranh van duc thats t r a n h") == \
        ["the letter was for [NAME] thats [NAME]"]
    texts, _ = redacted_dialogue((H, "can you spell the surname"), (C, "o a as in apple k e s"))
    assert texts == ["can you spell the surname", "[NAME]"]


@pytest.mark.parametrize("said", [
    "ah dinnae ken whit he wanted",
    "he said he was fae the council",
    "i think summat was up with him",
    "thanks theyll be round soon",
    "is anyone hurt",
    "he met her online last year",
    "our security guard saw him",
    "they were saying whiskey mike over the radio",
    "a john deere tractor was parked across the gate",
])
def test_everyday_words_are_no_names(said):
    texts, _ = redacted_dialogue((H, "and whats his name"), (C, "i dont know"), (H, "ok"), (C, said))
    assert texts[3] == said


@pytest.mark.parametrize("said,redacted", [
    ("the gates on albany park road were open", "the gates on [ADDRESS] were open"),   # a suffix inside the name
    ("shes gone round to her friend sophies house", "shes gone round to her friend [NAME] house"),  # whose house
    ("i think his nickname is rusty", "i think his nickname is [NAME]"),
    ("we call her nan", "we call her nan"),                                            # kin, no nickname
])
def test_round_four_edges(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_plate_that_ended_in_two_letters():
    texts, _ = redacted_dialogue((H, "did you see the car"), (C, "a black one and the plate ended in q w"))
    assert texts == ["did you see the car", "a black one and the plate ended in [VEHICLE REG]"]


@pytest.mark.parametrize("said,redacted", [
    ("yes its number twelve on wolsey street", "yes its number [ADDRESS] on [ADDRESS]"),
    ("were in unit nine on the kelham trade park", "were in [ADDRESS] on the [ADDRESS]"),
    ("the chippy on west street", "the chippy on [ADDRESS]"),                  # a side in a street's name
    ("he goes by the name of spanner", "he goes by the name of [NAME]"),
    # districts and landmarks named like streets stay
    ("my sister lives in tooting green", "my sister lives in tooting green"),
    ("we met outside kelham park station", "we met outside kelham park station"),
    ("units are on the way now", "units are on the way now"),
])
def test_round_four_numbers_sides_and_districts(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "i called him twice",
    "she called him straight away",
    "he called her stupid",
    "its pronounced differently",
    "its said he was there",
    "he goes by train",
])
def test_what_follows_a_nickname_cue_without_being_one(said):
    assert redacted_texts(said) == [said]


def test_a_park_gone_into_is_a_landmark():
    assert redacted_texts("They ran into Burgess Park.") == ["They ran into Burgess Park."]
    assert redacted_texts("She lives on Stanley Park.") == ["She lives on [ADDRESS]."]


# ---------------------------------------------------------------- issue 13, round five (blind4 tuned on)


@pytest.mark.parametrize("said,redacted", [
    # a handler's greeting: "you're through to <name>"
    ("cheshire police youre through to aled how can i help", "cheshire police youre through to [NAME] how can i help"),
    # a family by its surname
    ("its one of the kowalskis again from across the green", "its one of the [NAME] again from across the green"),
    # a name joined by "and" / "or" to a name already found
    ("the twins are kacper and lily rose", "the twins are [NAME] and [NAME]"),
    ("my sister megan and ffion are with me", "my sister [NAME] and [NAME] are with me"),
    ("everyone calls him lewis or lew-lew", "everyone calls him [NAME] or [NAME]"),
    # a by-name: first name, "the" and a trade, then what the person did
    ("gethin the milk saw the van first", "[NAME] saw the van first"),
    # a role that names a person, "is" before a by-name, a modal first name before a preposition
    ("our cleaner bronwen found the door open", "our cleaner [NAME] found the door open"),
    ("her uncle is big rab from the next street", "her uncle is [NAME] from the next street"),
    ("my supervisor will at the front desk can help", "my supervisor [NAME] at the front desk can help"),
    # a nickname with its by-word
    ("the lads call him wee davie", "the lads call him [NAME]"),
    # an everyday-word surname after a name cue, at the turn's end
    ("the agent said his name is colin rivers", "the agent said his name is [NAME]"),
])
def test_round_five_names(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    # a place named for a thing of it: no person
    "its a kent plate i think",
    "hello youre through to avon and somerset police",
    "you can ring gwent police on one oh one",
    # a shop said with "called"
    "the shop is called kirkdale local",
    # modal "will" after a role is still the verb
    "my manager will ring you back",
    # "and" before an everyday word is no name
    "i saw lily and the dog at the gate",
])
def test_round_five_name_traps(said):
    assert redacted_texts(said) == [said]


def test_a_misheard_first_name_before_a_surname_is_one_name():
    texts, _ = redacted_dialogue((H, "whats your name please"), (C, "sure van ashworth-kaye"), (H, "thank you"))
    assert texts == ["whats your name please", "[NAME]", "thank you"]
    texts, _ = redacted_dialogue((H, "can i take your name"), (C, "dee mcnaughtie but its deirdre really"))
    assert texts[1].startswith("[NAME] but its [NAME]")


def test_a_surname_spelled_with_as_in_words_is_hidden_when_said_again():
    texts, _ = redacted_dialogue((C, "its huw gruffudd"), (H, "gruffudd with two fs"),
                                 (C, "yes g r u f as in foxtrot f u d d"))
    assert texts == ["its [NAME]", "[NAME] with two fs", "yes [NAME]"]


def test_a_first_name_that_is_a_rarer_word_is_hidden_again():
    texts, _ = redacted_dialogue((C, "my husband basil is at the door"), (H, "ask basil to stay inside"),
                                 (C, "the basil in the garden is dead"))
    assert texts == ["my husband [NAME] is at the door", "ask [NAME] to stay inside", "the basil in the garden is dead"]


@pytest.mark.parametrize("said,redacted", [
    # plots, pitches, berths and moorings, with their site
    ("we rent pitch twelve at sunnyvale caravan park", "we rent [ADDRESS]"),
    ("she lives on plot three on the greenacre park site", "she lives on [ADDRESS]"),
    ("the boat is on b pontoon berth six", "the boat is on [ADDRESS]"),
    ("plot twenty two trevose an goon holiday park near padstow", "[ADDRESS] near padstow"),
    # a Scottish flat "2/1" and a flat in a block of halls
    ("im in flat three stroke two", "im in [ADDRESS]"),
    ("my room is flat four block c ashby halls", "my room is [ADDRESS]"),
    # Cornish and Welsh homes and lanes
    ("he lives at chy an porth out past the church", "he lives at [ADDRESS] out past the church"),
    ("the holiday let is blaen cwm near the lake", "the holiday let is [ADDRESS] near the lake"),
    ("they parked on lon goch by the chapel", "they parked on [ADDRESS] by the chapel"),
    # one word ending in gate, after "on / down / along"
    ("he ran off along fossgate", "he ran off along [ADDRESS]"),
    # a side after the suffix, with no number
    ("its at the corner of mill road east", "its at the corner of [ADDRESS]"),
    # a home said by its name after "called"
    ("were in a cottage called sea breeze", "were in a cottage called [ADDRESS]"),
])
def test_round_five_addresses(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "the police station on bridge street shuts at six",
    "there is a branch on market street and one in the precinct",
    "he got the train from kingsgate",
    "theres a croft up the hill with sheep",
    "the croft house has a red door",
])
def test_round_five_address_traps(said):
    assert redacted_texts(said) == [said]


def test_the_end_of_a_road_is_no_part_of_its_name():
    assert redacted_texts("hes heading towards the chester road end") == ["hes heading towards the [ADDRESS] end"]


def test_a_neighbours_house_number_and_a_house_name_said_again():
    texts, _ = redacted_dialogue((H, "whats your address"), (C, "nine larch avenue and the fighting is at number eleven"),
                                 (H, "ok"), (C, "theyre number eleven the one with the van"))
    assert texts[1] == "[ADDRESS] and the fighting is at [ADDRESS]"
    assert texts[3] == "theyre [ADDRESS] the one with the van"
    texts, _ = redacted_dialogue((C, "i live at the old smithy on mill lane"), (H, "thank you"),
                                 (C, "the old smithy has a green door"))
    assert texts == ["i live at [ADDRESS] on [ADDRESS]", "thank you", "the [ADDRESS] has a green door"]


def test_a_boat_named_in_reply_to_whats_it_called():
    texts, _ = redacted_dialogue((H, "whats the narrowboat called"), (C, "shes the silver heron on mooring four"))
    assert texts == ["whats the narrowboat called", "shes the [ADDRESS] on [ADDRESS]"]


@pytest.mark.parametrize("said,redacted", [
    # "hundred and" inside a log number
    ("the log number is four hundred and twelve of today", "the log number is [REFERENCE]"),
    # serial and year with no cue
    ("its six one oh two three four five five slash two five", "its [REFERENCE]"),
    # up to four letters and a long run of digits
    ("they gave me k b r c one two three four five six seven eight nine", "they gave me [REFERENCE]"),
    # a plural cue
    ("the references are three three one two two four five five and more", "the references are [REFERENCE] and more"),
    # a broken-off start goes with the code
    ("its k m one two no sorry k m one three p x t", "its [VEHICLE REG]"),
    ("my postcode is n g five er no n g seven two h q", "my postcode is [POSTCODE]"),
    # an e-mail with a filler inside, and a Welsh domain
    ("its r pugh um eighty one at gmail dot com", "its [EMAIL]"),
    ("you can write to post at caerwen farm dot cymru", "you can write to [EMAIL]"),
    # a plate that "finishes with" some letters
    ("i saw the van and the reg finishes with w k d", "i saw the van and the reg finishes with [VEHICLE REG]"),
])
def test_round_five_codes(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_an_international_number_written_with_its_plus():
    assert redacted_texts("Call me on +971 5012 3456, any time.") == ["Call me on [PHONE], any time."]


def test_an_irish_plate_while_a_car_is_talked_about():
    texts, _ = redacted_dialogue((C, "it was a silver car with a southern reg one six two c e one two three four"))
    assert texts == ["it was a silver car with a southern reg [VEHICLE REG]"]
    assert redacted_texts("we had one two one c people in the hall") == ["we had one two one c people in the hall"]


def test_a_code_said_again_and_an_alternative():
    texts, _ = redacted_dialogue((H, "your log is three three seven of today"), (C, "three three seven thanks"))
    assert texts == ["your log is [REFERENCE]", "[REFERENCE] thanks"]
    texts, _ = redacted_dialogue((C, "The plate was LM19 XRT. Maybe. Or XRF."), (H, "Thanks."))
    assert texts[0] == "The plate was [VEHICLE REG]. Maybe. Or [VEHICLE REG]."


def test_an_email_said_across_two_turns():
    texts, _ = redacted_dialogue((H, "and an email address"), (C, "efua dot mensah"), (H, "yes"),
                                 (C, "at hotmail dot co dot uk"))
    assert texts == ["and an email address", "[EMAIL]", "yes", "[EMAIL]"]


def test_a_reference_read_back_in_a_cased_reply_ends_at_its_sentence():
    texts, _ = redacted_dialogue((H, "Your log number is 0719."), (C, "0719. Thanks. I'm on page 3 now."))
    assert texts == ["Your log number is [REFERENCE].", "[REFERENCE]. Thanks. I'm on page 3 now."]


# ---------------------------------------------------------------- issue 13, round six (blind5 tuned on)


def test_a_sum_of_money_after_a_reference_is_no_code():
    texts, _ = redacted_dialogue((H, "your crime reference is three one slash four four two one nine slash two five"),
                                 (C, "the bike cost seven hundred and twenty quid"))
    assert texts == ["your crime reference is [REFERENCE]", "the bike cost seven hundred and twenty quid"]


def test_a_short_name_reply_is_read_in_its_own_turn():
    # the caller's next answer comes soon enough to join the same stream; the name reply still ends at its turn
    segments = [seg(H, 0.0, "and who am i speaking to"), seg(C, 2.3, "graham swan"), seg(H, 3.7, "phone"),
                seg(C, 4.8, "oh one two one four nine six oh two two seven")]   # 1.1 s between "swan" and "oh"
    out, _ = redact_result({"transcript": [s.to_dict() for s in segments]})
    assert [s["text"] for s in out["transcript"]] == ["and who am i speaking to", "[NAME]", "phone", "[PHONE]"]


@pytest.mark.parametrize("said,redacted", [
    ("theres a lurcher with him and he calls himself wee rab", "theres a lurcher with him and he calls himself [NAME]"),
    ("christopher dunne but everyone calls me kit", "[NAME] but everyone calls me [NAME]"),
    ("my friends call me bez", "my friends call me [NAME]"),
])
def test_round_six_nicknames(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_everyone_says_takes_only_a_short_form_ending_the_turn():
    texts, _ = redacted_dialogue((H, "your name"), (C, "margaret oyelaran everyone says maggie"))
    assert texts == ["your name", "[NAME] everyone says [NAME]"]
    assert redacted_texts("everyone says its the quiet ones") == ["everyone says its the quiet ones"]


def test_an_email_local_part_with_digits_said_before_its_domain():
    texts, _ = redacted_dialogue((H, "have you got an email"), (C, "its tommo farrell eighty"), (H, "at what"),
                                 (C, "at icloud dot com"))
    assert texts == ["have you got an email", "its [EMAIL]", "at what", "[EMAIL]"]
    # a name alone before a domain in a later turn is no local part
    texts, _ = redacted_dialogue((C, "gary and dean"), (H, "ok"), (C, "at the back of the pub"))
    assert texts == ["[NAME] and [NAME]", "ok", "at the back of the pub"]


def test_an_email_ending_dot_co_and_one_said_after_as_well():
    assert redacted_texts("the invoice came from billing at acme plumbing dot co") == \
        ["the invoice came from [EMAIL]"]
    assert redacted_texts("they wrote to me as well ravi nine at proton dot me") == \
        ["they wrote to me as well [EMAIL]"]


def test_a_mobile_without_its_zero_said_with_eleven_digits():
    texts, _ = redacted_dialogue((H, "whats your daughters number"),
                                 (C, "seven four one two two nine nine three one four six"))
    assert texts == ["whats your daughters number", "[PHONE]"]
    # a digit talked about before a correction is no part of the number
    assert redacted_texts("i missed off the zero sorry oh seven seven one two three four five six seven eight") == \
        ["i missed off the zero sorry [PHONE]"]


def test_a_postcode_with_a_hesitation_and_one_said_after_go_on():
    assert redacted_texts("we're in the flats at l s nine um four q x") == ["we're in the flats at [POSTCODE]"]
    texts, _ = redacted_dialogue((H, "postcode"), (C, "d h one"), (H, "go on"), (C, "three l e"))
    assert texts == ["postcode", "[POSTCODE]", "go on", "[POSTCODE]"]


def test_go_on_takes_no_code_when_something_else_was_said_after_it():
    texts, _ = redacted_dialogue((H, "postcode"), (C, "d h one three l e"), (C, "and my neighbour saw the van"),
                                 (H, "go on"), (C, "it was parked by the shop"))
    assert texts[-1] == "it was parked by the shop"


@pytest.mark.parametrize("said,redacted", [
    ("we farm at bryn glas above the village", "we farm at [ADDRESS] above the village"),
    ("the letters go to ty gwyn by the bridge", "the letters go to [ADDRESS] by the bridge"),
    ("shes at gelli fawr with the horses", "shes at [ADDRESS] with the horses"),
])
def test_welsh_homes_said_with_a_describing_word(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "we came down the aberdaron road",           # the road to a place
    "meet me by the kissing gate",                # a gate, no street
    "can jordan drive the van",                   # a verb after a name
    "is the station at cheapside open tonight",
    "officers are coming from carlton street",     # the police station's street
    "the loft was a cannabis farm",               # a kind of place, no home's name
    "she was on the willow ward",                 # a hospital ward
    "tickets are on sale in stanley park",        # a park named like a person
    "the last bus to preston had gone",           # a town named like a person
    "the dog and the cat",
])
def test_round_six_traps_are_left_alone(said):
    assert redacted_texts(said) == [said]


def test_same_street_said_again_as_a_description():
    assert redacted_texts("her nan is on ivy lane same lane as the surgery") == \
        ["her nan is on [ADDRESS] same lane as the surgery"]


def test_a_one_word_street_with_its_side():
    assert redacted_texts("we parked off westgate north by the bins") == ["we parked off [ADDRESS] by the bins"]


@pytest.mark.parametrize("said,redacted", [
    ("i want to report a fight my name is reverend declan mcbride",
     "i want to report a fight my name is reverend [NAME]"),
    ("my name is imam yusuf patel", "my name is imam [NAME]"),
    ("their lad kieron was at the party", "their lad [NAME] was at the party"),
    ("the purse said j wojciechowska inside it", "the purse said [NAME] inside it"),
    ("it was dwaynes brother who did it", "it was [NAME] brother who did it"),
    ("aye its mcallister hamish mcallister", "aye its [NAME]"),
])
def test_round_six_names(said, redacted):
    assert redacted_texts(said) == [redacted]


@pytest.mark.parametrize("said", [
    "my spaniel biscuit ran off",
    "the cats tigger and luna were indoors",
    "a collie cross called bonnie",
    "she drove to chester station",
    "rob the shop is what they did",
])
def test_round_six_name_traps(said):
    assert redacted_texts(said) == [said]


def test_a_by_name_is_no_business_and_a_reply_asking_back_is_no_name():
    assert redacted_texts("his lanyard said wayne the council is on it") == \
        ["his lanyard said [NAME] the council is on it"]
    texts, _ = redacted_dialogue((C, "his mate is called gaz i dont know the surname"), (H, "did you see a car"))
    assert texts == ["his mate is called [NAME] i dont know the surname", "did you see a car"]
    texts, _ = redacted_dialogue((H, "whats your name"), (C, "im the caretaker colin ashby"))
    assert texts == ["whats your name", "im the caretaker [NAME]"]


def test_a_code_said_again_with_its_letters_and_after_its_day():
    texts, _ = redacted_dialogue((H, "the reference is s b dash nine nine one two four dash two five"),
                                 (C, "sorry again"), (H, "s b dash nine nine one two four dash two five"))
    assert texts == ["the reference is [REFERENCE]", "sorry again", "[REFERENCE]"]
    texts, _ = redacted_dialogue((H, "The log is 0417 of the 9th of May."), (C, "So 0417. OK."))
    assert texts == ["The log is [REFERENCE].", "So [REFERENCE]. OK."]


def test_a_second_reference_joined_by_and():
    assert redacted_texts("the two references are one five oh oh two three three four four one for the shed and "
                          "one five oh oh two three three four four two for the car") == \
        ["the two references are [REFERENCE] for the shed and [REFERENCE] for the car"]
    # a count joined to a reference is no second one
    assert redacted_texts("the reference is one five oh oh two three three four four one and two officers") == \
        ["the reference is [REFERENCE] and two officers"]


def test_a_flat_said_by_its_letter_and_a_boat_named_in_everyday_words():
    assert redacted_texts("we are in flat c forty one dunmore road") == ["we are in [ADDRESS]"]
    assert redacted_texts("she has a cabin cruiser she lives on called evening tide moored by the bridge") == \
        ["she has a cabin cruiser she lives on called [ADDRESS] moored by the bridge"]
    assert redacted_texts("the boat owner called yesterday") == ["the boat owner called yesterday"]


@pytest.mark.parametrize("turns,last", [
    (((H, "did you see the registration"), (C, "just the start of it x ray papa something")),
     "just the start of it [VEHICLE REG] something"),
    (((H, "any plates"), (C, "he had a j v something on the back")), "he had [VEHICLE REG] something on the back"),
    (((C, "It was a black Audi A3, LK68 something."),), "It was a black Audi A3, [VEHICLE REG] something."),
])
def test_part_of_a_plate_before_something(turns, last):
    texts, _ = redacted_dialogue(*turns)
    assert texts[-1] == last


def test_a_road_before_something_is_no_partial_plate():
    assert redacted_texts("the van broke down on the m six something near the services") == \
        ["the van broke down on the m six something near the services"]
    assert redacted_texts("The car was on the A5 something.") == ["The car was on the A5 something."]


def test_a_model_after_its_make_is_no_plate_and_a_private_plate_is_whole():
    assert redacted_texts("a grey bmw x three romeo tango one nine papa oscar alpha") == \
        ["a grey bmw x three [VEHICLE REG]"]
    texts, _ = redacted_dialogue((H, "what's the registration"), (C, "its a private one j a y one s k y"))
    assert texts == ["what's the registration", "its a private one [VEHICLE REG]"]


@pytest.mark.parametrize("said,redacted", [
    ("its nine mercat wynd", "its [ADDRESS]"),
    ("i'm at two harbour quay", "i'm at [ADDRESS]"),
    ("we are at sixteen the promenade", "we are at [ADDRESS]"),
    ("It's 7 St. Mary's Close.", "It's [ADDRESS]."),
])
def test_round_six_streets(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_written_domain_said_after_at_in_its_own_turn():
    texts, _ = redacted_dialogue((H, "And the email?"), (C, "Nadia K22."), (H, "At?"), (C, "At ed.ac.uk."))
    assert texts == ["And the email?", "[EMAIL].", "At?", "[EMAIL]."]


@pytest.mark.parametrize("said,redacted", [
    ("we rent unit twelve brookside business park", "we rent [ADDRESS]"),
    ("shes in caravan three at golden sands holiday park", "shes in [ADDRESS]"),
    ("hes in apartment six the old brewery works", "hes in [ADDRESS]"),
    ("unit twelve is on its way to you", "unit twelve is on its way to you"),   # a call sign, no site
])
def test_units_caravans_and_flats_with_their_site_or_building(said, redacted):
    assert redacted_texts(said) == [redacted]


def test_a_bank_sort_code():
    assert redacted_texts("the sort code was eleven twenty two thirty three") == ["the sort code was [REFERENCE]"]
    assert redacted_texts("can you sort code words for me") == ["can you sort code words for me"]
