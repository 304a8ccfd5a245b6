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


@pytest.mark.parametrize("opening", [
    "Good evening, Staffordshire Police, this is the force control room.",
    "Hello, Staffordshire Police, you have come through to the contact centre.",
])
def test_naming_the_force_and_the_room_is_not_an_offer_of_help(opening):
    ctx = context([("handler", 0.5, opening), ("caller", 5.0, "Hi, there is a car parked across my drive")])
    result = greeting.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert result.reason == "opening words at 0.5 s lack an offer of help"


@pytest.mark.parametrize("opening", [
    "Staffordshire Police, where do you need us to come to?",
    "Staffordshire Police, tell me what is going on there.",
])
def test_an_offer_of_help_in_new_words_still_passes(opening):
    ctx = context([("handler", 0.5, opening), ("caller", 5.0, "Hi, there is a car parked across my drive")])
    result = greeting.evaluate(ctx, RULES)
    assert result.status == "pass", result.reason


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


# ---- listening --------------------------------------------------------------------------------

def _talk_over(caller_regions, handler_at, handler_text="What does the man look like?"):
    """A caller's long account cut by the speech detector into `caller_regions`; the handler speaks at `handler_at`."""
    from callqa.pipeline.indicators import listening
    from callqa.pipeline.vad import Region

    ctx = context([("handler", 0.2, "Staffordshire Police, what has happened?"),
                   ("caller", caller_regions[0][0], "There is a lad with a crowbar going along the parked cars "
                                                    "and he is trying every door one after another right now"),
                   ("handler", handler_at, handler_text)])
    ctx.timelines["caller"] = [Region(a, b) for a, b in caller_regions]
    return listening.evaluate(ctx, RULES)


def test_handler_starting_just_after_the_callers_breath_still_interrupts():
    # The detector split the caller's sentence at 0.4 s breaths; the handler cut in 0.3 s after the
    # latest piece began, while the caller went on for another second.
    result = _talk_over([(3.0, 5.6), (6.0, 8.5), (8.9, 11.0)], 9.2)
    assert result.metrics["interruptions"] == 1
    assert result.evidence[0].start_s == pytest.approx(9.2)


def test_caller_starting_a_new_utterance_with_the_handler_is_not_interrupted():
    # The caller stopped for a second and both began again at once: nobody was cut off.
    result = _talk_over([(3.0, 5.6), (6.6, 11.0)], 6.8)
    assert result.metrics["interruptions"] == 0


def test_handler_speaking_in_the_callers_pause_is_not_an_interruption():
    result = _talk_over([(3.0, 5.6), (6.0, 8.5), (8.9, 11.0)], 8.6, "Okay.")
    assert result.metrics["interruptions"] == 0


def test_a_backchannel_under_a_long_account_is_not_an_interruption():
    result = _talk_over([(3.0, 5.6), (6.0, 8.5), (8.9, 11.0)], 9.5, "Mm.")
    assert result.metrics["interruptions"] == 0


# ---- empathy ----------------------------------------------------------------------------------

GREETING = ("handler", 0.2, "Staffordshire Police, how can I help?")


@pytest.mark.parametrize("reply", ["No one's hurt.", "We weren't hurt.", "I'm not worried.", "Nobody got hurt."])
def test_a_caller_denying_distress_in_few_words_needs_no_empathy(reply):
    from callqa.pipeline.indicators import empathy

    ctx = context([GREETING, ("caller", 3.0, "A branch has fallen on my car on the drive."),
                   ("handler", 7.0, "Is anybody hurt?"), ("caller", 9.0, reply),
                   ("handler", 11.0, "Okay, I will pass it to the council.")])
    result = empathy.evaluate(ctx, RULES)
    assert result.status == "not_applicable", result.reason


@pytest.mark.parametrize("reply", ["He hurt me.", "Please don't hurt him!", "I'm scared."])
def test_a_short_distress_cue_is_still_a_cue(reply):
    from callqa.pipeline.indicators import empathy

    ctx = context([GREETING, ("caller", 3.0, "My partner came home drunk tonight."),
                   ("handler", 7.0, "Where is he now?"), ("caller", 9.0, reply),
                   ("handler", 11.0, "Okay, what is the address?")])
    result = empathy.evaluate(ctx, RULES)
    assert result.status == "fail", result.reason


def test_a_denial_split_from_its_word_by_a_pause_is_still_a_denial():
    # "Nobody was ... hurt." with a two-second pause before the last word: one sentence, two units.
    from callqa.pipeline.indicators import empathy

    ctx = context([GREETING, ("caller", 3.0, "The shed roof blew off in the wind."),
                   ("handler", 7.0, "Was anyone injured?"), ("caller", 9.0, "Nobody was"),
                   ("caller", 11.0, "hurt."), ("handler", 13.0, "Okay, I will log it for the council.")])
    result = empathy.evaluate(ctx, RULES)
    assert result.status == "not_applicable", result.reason


# ---- repeated questions -----------------------------------------------------------------------

def _asked(first, first_answer, second, second_answer):
    from callqa.pipeline.indicators import repeated_questions

    ctx = context([("handler", 0.2, "Staffordshire Police, how can I help?"),
                   ("caller", 3.0, "Someone has reversed into my car outside the shop."),
                   ("handler", 7.0, first), ("caller", 10.0, first_answer),
                   ("handler", 13.0, "Okay. Is the car still drivable?"), ("caller", 16.0, "Yes, it is fine to drive."),
                   ("handler", 19.0, second), ("caller", 22.0, second_answer),
                   ("handler", 25.0, "Thank you, an officer will call you back later today.")])
    return repeated_questions.evaluate(ctx, RULES)


@pytest.mark.parametrize("first,first_answer,second,second_answer", [
    ("How old are you?", "I am sixty three.", "And what is your age?", "Sixty three."),
    ("What is a good phone number for you?", "It is 07700 900 123.", "Which number can we call you back on?",
     "07700 900 123."),
])
def test_the_same_question_in_other_words_is_a_repeat(first, first_answer, second, second_answer):
    result = _asked(first, first_answer, second, second_answer)
    assert result.status == "fail", result.reason
    assert "in other words" in result.evidence[0].rule
    assert result.evidence[0].extra["first_asked_s"] == pytest.approx(7.0)


def test_a_caller_saying_they_told_you_already_marks_the_repeat():
    result = _asked("Was anybody injured?", "The other driver hurt his wrist.",
                    "Has anyone been hurt at all?", "Like I said, the other driver.")
    assert result.status == "fail", result.reason


@pytest.mark.parametrize("first,first_answer,second,second_answer", [
    ("What colour is the car?", "Silver.", "What make is the car?", "It is a Ford Focus."),
    ("What time did this happen?", "About ten past four.", "Where did this happen?", "Outside the chemist."),
    ("What is the other driver's name?", "Gary something.", "What is your name?", "Priya Shah."),
])
def test_different_questions_about_one_thing_are_not_repeats(first, first_answer, second, second_answer):
    result = _asked(first, first_answer, second, second_answer)
    assert result.status == "pass", [e.rule for e in result.evidence]
