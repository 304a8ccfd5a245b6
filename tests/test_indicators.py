"""Indicator unit tests on hand-built transcripts: each rule, and the traps around it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callqa.pipeline.indicators import flags_for, score_call as _score_call
from callqa.pipeline.indicators import greeting, informal_language, next_steps, silence
from callqa.pipeline.rules import load_rule_pack
from tests.helpers import context

RULES = load_rule_pack()


def score_call(ctx, rules=RULES):
    """(silences, indicator results) of a hand-built call."""
    scored = _score_call(ctx, rules)
    return scored.silences, scored.indicators


def with_rules(section: str, **changes):
    data = {k: dict(v) for k, v in RULES.data.items()}
    data[section].update(changes)
    return replace(RULES, data=data)


# ---- greeting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("opening", [
    "Staffordshire Police, how can I help?",
    "Good morning, Staffordshire Police, how can I help you?",
    "Stafford Shire police how can I help",                      # ASR split the force name
    "Staffordshire police. What's the address of your emergency?",  # 999 opening
    "Staffordshire Police, what is your emergency?",
    "Hello, you're through to Staffordshire Police, how may I help?",
])
def test_greeting_variants_pass(opening):
    ctx = context([("handler", 0.5, opening), ("caller", 5.0, "Hi there my bike has been stolen")])
    result = greeting.evaluate(ctx, RULES)
    assert result.status == "pass", result.reason
    rules = {e.rule.split(":")[0] for e in result.evidence}
    assert rules in ({"greeting.force_names", "greeting.help_offers"}, {"greeting.force_names", "intents.help_offer.exemplars"})
    assert all(e.speaker == "handler" for e in result.evidence)


@pytest.mark.parametrize("opening,missing", [
    ("Hello?", "the force name and an offer of help"),
    ("Yeah, go on.", "the force name and an offer of help"),
    ("Police, how can I help?", "the force name"),
    ("Staffordshire Police.", "an offer of help"),
    ("West Midlands Police, how can I help?", "the force name"),
])
def test_greeting_missing_parts_fail(opening, missing):
    ctx = context([("handler", 0.5, opening), ("caller", 4.0, "Hi, I want to report something")])
    result = greeting.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert result.reason == f"opening words at 0.5 s lack {missing}"
    assert result.evidence[0].start_s == pytest.approx(0.5)


def test_greeting_too_late_fails_and_caller_words_do_not_count():
    ctx = context([("caller", 0.5, "Staffordshire Police how can I help"),
                   ("handler", 20.0, "Staffordshire Police, how can I help?")])
    result = greeting.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert "20.0 s" in result.reason


def test_greeting_window_comes_from_rule_pack():
    ctx = context([("handler", 20.0, "Staffordshire Police, how can I help?")])
    assert greeting.evaluate(ctx, with_rules("greeting", window_s=25.0)).status == "pass"


# ---- informal language ------------------------------------------------------------------------

@pytest.mark.parametrize("text,term", [
    ("Okay mate, what's happened?", "mate"),
    ("No worries, mate.", "mate"),
    ("Alright me duck, I'll get someone out", "me duck"),
    ("Thanks love. Is there anything else?", "love"),
    ("Thank you love", "love"),
    ("Don't worry sweetheart we'll sort it", "sweetheart"),
    ("Okay pal what is the address", "pal"),
    ("Right duck, stay there", "duck"),
    ("Cheers chief", "chief"),
    ("Okay hun", "hun"),
])
def test_informal_address_fails(text, term):
    ctx = context([("handler", 1.0, text)])
    result = informal_language.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert any(e.rule == f"informal_language.terms: {term!r}" for e in result.evidence)
    assert result.evidence[0].speaker == "handler"
    assert result.evidence[0].start_s >= 1.0


@pytest.mark.parametrize("text", [
    "That's lovely, thank you.",
    "What material was the bag made of?",
    "Is that near the palace?",
    "I'd love to help you with that.",
    "Is your mate still with you?",
    "I'll pass this to the chief inspector.",
    "Did the duck pond flood again?",
    "We love to hear from the public.",
    "Staffordshire Police, how can I help?",
])
def test_ordinary_words_are_not_informal(text):
    ctx = context([("handler", 1.0, text)])
    assert informal_language.evaluate(ctx, RULES).status == "pass", text


def test_callers_informal_words_do_not_count():
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "Alright mate, cheers love, thanks duck")])
    assert informal_language.evaluate(ctx, RULES).status == "pass"


def test_informal_not_judged_on_mono():
    ctx = context([("unknown", 0.0, "Okay mate")], layout="mono")
    assert informal_language.evaluate(ctx, RULES).status == "not_applicable"


# ---- next steps -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "An officer will call you back within 48 hours.",
    "Your crime reference number is 1 2 3 4.",
    "I'll pass this to the neighbourhood team and they'll be in touch.",
    "Officers are on their way to you now, stay on the line.",
    "If it happens again, call us straight away on 999.",
])
def test_next_steps_found(text):
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"), ("handler", 30.0, text)])
    result = next_steps.evaluate(ctx, RULES)
    assert result.status == "pass"
    assert result.evidence[0].start_s >= 30.0
    assert result.evidence[0].rule.split(":")[0] in ("next_steps.phrases", "next_steps.reference_words",
                                                     "intents.next_steps.exemplars")


def test_next_steps_missing_and_caller_words_ignored():
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "Will an officer call me back? What's my reference number?"),
                   ("handler", 9.0, "Okay, thanks for calling, bye.")])
    result = next_steps.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert result.evidence == []


# ---- silences ---------------------------------------------------------------------------------

def test_unexplained_handler_silence_fails_with_evidence():
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "Someone has stolen my bike from the shed"),
                   ("handler", 6.0, "Right."),
                   ("caller", 21.0, "Hello? Are you still there?")])
    silences, results = score_call(ctx, RULES)
    assert len(silences) == 1
    s = silences[0]
    assert (s.owner, s.explained, s.broken_by) == ("handler", False, "caller")
    assert s.start_s == pytest.approx(6.35) and s.end_s == pytest.approx(21.0)
    result = results["unexplained_silence"]
    assert result.status == "fail"
    assert result.evidence[0].start_s == pytest.approx(6.35)
    assert "unexplained" in result.evidence[0].rule
    flag = [f for f in flags_for(results, RULES) if f.indicator == "unexplained_silence"][0]
    assert flag.start_s == pytest.approx(6.35)


@pytest.mark.parametrize("explanation", [
    "Bear with me a moment while I check that on the system.",
    "I'm just going to put you on hold for a moment.",
    "Give me a moment, I'm typing this up.",
    "Just bear with me one second.",
])
def test_explained_silence_passes(explanation):
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "My car was broken into last night"),
                   ("handler", 6.0, explanation),
                   ("handler", 25.0, "Thanks for waiting.")])
    silences, results = score_call(ctx, RULES)
    assert silences[0].explained and silences[0].explanation.text
    assert silences[0].broken_by == "handler"
    assert results["unexplained_silence"].status == "pass"
    assert silences[0].to_dict()["explanation"]["start_s"] >= 6.0


def test_caller_owned_silence_after_question_passes():
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "My car was stolen"),
                   ("handler", 6.0, "What's the registration number?"),
                   ("caller", 20.0, "Sorry, it's A B 1 2 C D E")])
    silences, results = score_call(ctx, RULES)
    assert silences[0].owner == "caller" and silences[0].broken_by == "caller"
    assert results["unexplained_silence"].status == "pass"


def test_one_word_question_mark_is_not_a_question():
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "They have gone now"),
                   ("handler", 6.0, "Right?"),
                   ("caller", 20.0, "Hello? Are you still there?")])
    silences, results = score_call(ctx, RULES)
    assert silences[0].owner == "handler"
    assert results["unexplained_silence"].status == "fail"


def test_silence_after_unanswered_question_is_the_callers_whoever_breaks_it():
    # Turn order decides: the caller owed the answer, so a handler's "Hello?" does not make the
    # silence the handler's to explain.
    ctx = context([("handler", 0.0, "Staffordshire Police, how can I help?"),
                   ("handler", 3.0, "Can you tell me the address?"),
                   ("handler", 20.0, "Hello?")])
    silences, results = score_call(ctx, RULES)
    assert silences[0].owner == "caller"
    assert results["unexplained_silence"].status == "pass"


def test_short_silence_does_not_fail_and_thresholds_are_configurable():
    turns = [("handler", 0.0, "Staffordshire Police, how can I help?"), ("handler", 3.0, "Right."),
             ("caller", 11.0, "Hello?")]
    ctx = context(turns)
    silences, results = score_call(ctx, RULES)
    assert silences and silences[0].duration_s < 10
    assert results["unexplained_silence"].status == "pass"
    _, strict = score_call(ctx, with_rules("silence", fail_s=5.0))
    assert strict["unexplained_silence"].status == "fail"
    loose, _ = score_call(ctx, with_rules("silence", min_silence_s=9.0))
    assert loose == []


def test_explanation_long_before_silence_does_not_count():
    ctx = context([("handler", 0.0, "Staffordshire Police, bear with me, how can I help?"),
                   ("caller", 4.0, "There is a man in my garden"),
                   ("handler", 7.0, "Okay."),
                   ("handler", 30.0, "Okay.")])
    silences = silence.describe_silences(ctx, RULES)
    assert len(silences) == 1 and not silences[0].explained


def test_a_transcript_of_punctuation_only_is_no_speech():
    """Line noise decoded as "." must not be judged: no greeting "fail", no flags (issue 17)."""
    from callqa.pipeline.indicators import score_call
    from callqa.pipeline.rules import load_rule_pack
    from tests.helpers import context

    rules = load_rule_pack()
    noise = context([("caller", 1.0, "."), ("caller", 20.0, "...")])
    scoring = score_call(noise, rules)
    assert scoring.flags == []
    assert {r.status for name, r in scoring.indicators.items() if name != "answer_time"} == {"not_applicable"}
    assert "only punctuation" in scoring.indicators["greeting"].reason
