"""Unit tests of the rest of the panel's questionnaire: each rule, and the traps around it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from callqa.result_files import indicator_table_csv, to_webvtt
from callqa.pipeline.indicators import (
    acknowledgement,
    answer_time,
    weighted_score,
    empathy,
    listening,
    recap,
    repeated_questions,
    score_call,
    vulnerability,
)
from callqa.pipeline.rules import INDICATORS, load_rule_pack
from tests.helpers import context

RULES = load_rule_pack()
GREET = ("handler", 0.0, "Staffordshire Police, how can I help?")
LONG = "there is a man outside my house and he keeps banging on the front door and shouting at us"


# ---- listening --------------------------------------------------------------------------------

def test_talking_over_the_caller_twice_fails_with_times():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 6.0, "What is the address?"),
                   ("caller", 12.0, LONG), ("handler", 15.0, "Is he still there now?"),
                   ("caller", 22.0, "Yes he is")])
    result = listening.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert [e.start_s for e in result.evidence] == [6.0, 15.0]
    assert result.evidence[0].text == "What is the address?" and result.evidence[0].speaker == "handler"
    assert "caller_was_saying" in result.evidence[0].extra
    assert result.metrics["interruptions"] == 2
    assert 0 < result.metrics["caller_share"] < 1


def test_backchannels_under_the_caller_are_not_interruptions():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 5.0, "Yeah."), ("caller", 12.0, LONG),
                   ("handler", 14.0, "Mm okay"), ("handler", 20.0, "Right, what is the address?")])
    result = listening.evaluate(ctx, RULES)
    assert result.status == "pass" and result.metrics["interruptions"] == 0


def test_one_interruption_passes_and_monologue_is_measured():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 6.0, "What is the address?"),
                   ("handler", 12.0, " ".join(["officers will attend and"] * 8))])
    result = listening.evaluate(ctx, RULES)
    assert result.status == "pass" and result.metrics["interruptions"] == 1
    assert result.metrics["longest_handler_monologue_s"] >= 10


def test_listening_not_judged_on_mono():
    assert listening.evaluate(context([("unknown", 0.0, "hello")], layout="mono"), RULES).status == "not_applicable"


# ---- acknowledgement --------------------------------------------------------------------------

def test_acknowledged_in_every_part_passes():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 9.0, "Okay, I understand."),
                   ("caller", 12.0, LONG), ("handler", 18.0, "Right."), ("caller", 20.0, LONG),
                   ("handler", 26.0, "Thank you for telling me.")])
    result = acknowledgement.evaluate(ctx, RULES)
    assert result.status == "pass" and len(result.evidence) == 3


def test_no_acknowledgement_while_caller_explains_fails_naming_the_part():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 8.0, "Okay."),
                   ("caller", 12.0, LONG), ("handler", 18.0, "What is your date of birth?"),
                   ("caller", 20.0, LONG), ("handler", 26.0, "Thank you.")])
    result = acknowledgement.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert "part 2 of 3" in result.evidence[0].rule and result.evidence[0].speaker == "caller"


def test_empathy_acknowledges_the_caller_too():
    """A part whose only answer to the caller is empathy ("you did the right thing ringing us") is
    acknowledged: the evidence names the empathy it found."""
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 9.0, "You did the right thing ringing us."),
                   ("caller", 12.0, LONG), ("handler", 18.0, "Right."), ("caller", 20.0, LONG),
                   ("handler", 26.0, "Thank you for telling me.")])
    result = acknowledgement.evaluate(ctx, RULES)
    assert result.status == "pass" and "empathy" in result.evidence[0].rule, result.evidence


def test_acknowledgement_not_applicable_when_caller_barely_speaks():
    ctx = context([GREET, ("caller", 3.0, "Hi"), ("handler", 5.0, "Hello, what has happened?")])
    assert acknowledgement.evaluate(ctx, RULES).status == "not_applicable"


# ---- empathy ----------------------------------------------------------------------------------

def test_distressed_caller_with_handler_empathy_passes():
    ctx = context([GREET, ("caller", 3.0, "I'm really scared, he is outside"),
                   ("handler", 7.0, "I'm sorry to hear that, you've done the right thing calling us.")])
    result = empathy.evaluate(ctx, RULES)
    assert result.status == "pass"
    assert [e.speaker for e in result.evidence] == ["caller", "handler"]


def test_callers_own_sorry_is_not_handler_empathy():
    ctx = context([GREET, ("caller", 3.0, "I'm sorry, I'm so frightened, I'm sorry to hear myself"),
                   ("handler", 8.0, "Sorry, what was that? What is the address?")])
    result = empathy.evaluate(ctx, RULES)
    assert result.status == "fail"
    assert result.evidence[0].speaker == "caller" and "frightened" in result.evidence[0].rule


def test_empathy_only_required_when_caller_is_distressed_or_vulnerable():
    calm = context([GREET, ("caller", 3.0, "I want to report a lost wallet")])
    assert empathy.evaluate(calm, RULES).status == "not_applicable"
    vulnerable = context([GREET, ("caller", 3.0, "My mum has dementia and lives on her own"),
                          ("handler", 8.0, "What is her address?")])
    assert empathy.evaluate(vulnerable, RULES).status == "fail"


# ---- recap ------------------------------------------------------------------------------------

def test_recap_and_check_near_the_end_pass():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 70.0, "So just to recap, an officer will call you."),
                   ("handler", 76.0, "Does that make sense?"), ("caller", 79.0, "Yes thanks")])
    result = recap.evaluate(ctx, RULES)
    assert result.status == "pass" and {e.rule.split(":")[0] for e in result.evidence} == {"recap.recaps",
                                                                                             "recap.checks"}


def test_recap_early_in_a_long_call_does_not_count():
    ctx = context([GREET, ("handler", 3.0, "Just to recap, does that make sense?"), ("caller", 10.0, LONG),
                   ("caller", 100.0, LONG), ("handler", 120.0, "Okay bye.")])
    result = recap.evaluate(ctx, RULES)
    assert result.status == "fail" and not result.metrics["recap"] and not result.metrics["understanding_check"]


def test_recap_without_check_of_understanding_fails():
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 20.0, "So to confirm, an officer will attend. Bye.")])
    result = recap.evaluate(ctx, RULES)
    assert result.status == "fail" and result.metrics["recap"] and not result.metrics["understanding_check"]


# ---- repeated questions -----------------------------------------------------------------------

def test_same_question_asked_again_is_found_with_both_times():
    ctx = context([GREET, ("handler", 3.0, "What's the registration number?"), ("caller", 6.0, "AB12 CDE"),
                   ("handler", 10.0, "What colour is the car?"), ("caller", 13.0, "Blue"),
                   ("handler", 16.0, "Sorry, what was the registration number?")])
    result = repeated_questions.evaluate(ctx, RULES)
    assert result.status == "fail"
    [repeat] = result.evidence
    assert repeat.start_s == 16.0 and repeat.extra["first_asked_s"] == 3.0
    assert repeat.extra["first_text"] == "What's the registration number?"


def test_different_questions_are_not_repeats():
    ctx = context([GREET, ("handler", 3.0, "What's your name?"), ("caller", 5.0, "Sam"),
                   ("handler", 7.0, "What's your address?"), ("caller", 9.0, "1 High Street"),
                   ("handler", 12.0, "What colour is the car?"), ("handler", 15.0, "What make is the car?")])
    result = repeated_questions.evaluate(ctx, RULES)
    assert result.status == "pass" and result.metrics["questions"] >= 4


def test_no_questions_is_not_applicable():
    ctx = context([("handler", 0.0, "Staffordshire Police."), ("caller", 2.0, "Hello")])
    assert repeated_questions.evaluate(ctx, RULES).status == "not_applicable"


# ---- vulnerability ----------------------------------------------------------------------------

def test_vulnerability_with_safeguarding_passes_and_raises_priority():
    ctx = context([GREET, ("caller", 3.0, "My mum is 89, she lives on her own and has dementia"),
                   ("handler", 9.0, "Is she safe right now? Is anyone with her?")])
    result = vulnerability.evaluate(ctx, RULES)
    assert result.status == "pass"
    assert result.metrics["review_priority"] == "high"
    assert "elderly_or_disabled_alone" in result.metrics["kinds"]
    assert score_call(ctx, RULES).review_priority == "high"


def test_vulnerability_without_safeguarding_fails_and_flags_first():
    ctx = context([GREET, ("caller", 3.0, "My partner hit me last week and I'm scared he'll come back"),
                   ("handler", 9.0, "Okay. What was stolen from the car?"), ("caller", 12.0, "My phone")])
    scored = score_call(ctx, RULES)
    assert scored.indicators["vulnerability"].status == "fail"
    assert "domestic_abuse" in scored.indicators["vulnerability"].metrics["kinds"]
    assert scored.flags[0].indicator in ("vulnerability", "empathy", "unexplained_silence")
    assert scored.flags[0].severity == "high"
    for unsure in (False, True):  # findings first, then the flags that need review, each by severity
        severities = [f.severity for f in scored.flags if f.needs_review == unsure]
        assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_no_vulnerability_is_normal_priority():
    ctx = context([GREET, ("caller", 3.0, "My bike was stolen")])
    assert vulnerability.evaluate(ctx, RULES).status == "not_applicable"
    assert score_call(ctx, RULES).review_priority == "normal"


# ---- answer time ------------------------------------------------------------------------------

@pytest.mark.parametrize("call_type,delay,status", [
    ("999", 4.0, "pass"), ("999", 10.0, "pass"), ("999", 14.0, "fail"),
    ("101", 95.0, "pass"), ("101", 312.0, "fail"), ("101", None, "not_applicable"), (None, 3.0, "not_applicable"),
])
def test_answer_time_against_targets(call_type, delay, status):
    ctx = replace(context([GREET]), call_type=call_type, answer_delay_s=delay)
    result = answer_time.evaluate(ctx, RULES)
    assert result.status == status
    if status != "not_applicable":
        assert result.evidence[0].extra["answer_delay_s"] == delay


# ---- call score and flags ---------------------------------------------------------------------

def test_call_score_weights_applicable_indicators():
    ctx = replace(context([GREET, ("caller", 3.0, "My bike was stolen"),
                           ("handler", 6.0, "Okay mate, an officer will call you back.")]),
                  call_type="101", answer_delay_s=30.0)
    scored = score_call(ctx, RULES)
    weights = RULES.section("scoring")["weights"]
    applied = {n: r.status for n, r in scored.indicators.items() if r.status != "not_applicable"}
    expected = 100 * sum(weights[n] for n, s in applied.items() if s == "pass") / sum(weights[n] for n in applied)
    assert scored.score == pytest.approx(round(expected, 1))
    assert scored.indicators["informal_language"].status == "fail"
    assert {f.indicator for f in scored.flags} == {n for n, s in applied.items() if s == "fail"}
    all_pass = {n: replace(scored.indicators["greeting"]) for n in INDICATORS}
    assert weighted_score(all_pass, RULES) == 100.0


def test_flag_indicators_come_from_the_rule_pack():
    ctx = context([GREET, ("caller", 3.0, "My bike was stolen"), ("handler", 6.0, "Okay mate.")])
    data = {**RULES.data, "scoring": {**RULES.data["scoring"], "flag_indicators": ["greeting"]}}
    assert score_call(ctx, replace(RULES, data=data)).flags == []


# ---- exports ----------------------------------------------------------------------------------

def test_webvtt_escapes_text_and_voices_speakers():
    flag = {"indicator": "greeting", "reason": "no <b>", "start_s": 0.5}
    result = {"call_id": "c1", "rules_version": "v", "flags": [flag], "transcript": [
        {"speaker": "handler", "start_s": 0.5, "end_s": 2.0, "text": "Hi <script>x</script> --> &"},
        {"speaker": "caller", "start_s": 3661.25, "end_s": 3662.0, "text": "Hello"}]}
    vtt = to_webvtt(result)
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:00.500 --> 00:00:02.000\n<v Handler>Hi &lt;script&gt;x&lt;/script&gt; --&gt; &amp;" in vtt
    assert "01:01:01.250 --> 01:01:02.000\n<v Caller>Hello" in vtt
    assert "NOTE flag greeting at 00:00:00.500: no &lt;b&gt;" in vtt


def test_indicator_table_csv_has_a_column_per_indicator_and_no_formulas():
    rows = [{"call_id": "c1", "area": "=HYPERLINK(\"x\")", "score": 80.0, "greeting": "pass", "flags": 1}]
    parsed = list(csv.DictReader(io.StringIO(indicator_table_csv(rows))))
    assert set(INDICATORS) <= set(parsed[0]) and parsed[0]["greeting"] == "pass"
    assert parsed[0]["area"].startswith("'=")


def test_phrases_never_span_a_sentence_end():
    # "...hear that. Okay, ..." is not the check "is that okay"
    closing = "Your reference number is 4 4 1. I hear that. Okay, bye."
    ctx = context([GREET, ("caller", 3.0, LONG), ("handler", 70.0, closing),
                   ("caller", 80.0, "Bye")])
    result = recap.evaluate(ctx, RULES)
    assert result.status == "fail" and result.metrics["recap"] and not result.metrics["understanding_check"]
