"""Silence ownership by turn order, on hand-built calls: the caller owns a silence only while an
answer to the handler's question is owed."""

from __future__ import annotations

from callqa.pipeline.indicators import score_call
from callqa.pipeline.indicators.silence import describe_silences
from callqa.pipeline.rules import load_rule_pack
from callqa.pipeline.vad import Region
from tests.helpers import context

RULES = load_rule_pack()


def owners(turns, extra_regions=None):
    ctx = context(turns)
    for speaker, region in extra_regions or []:
        ctx.timelines[speaker].append(region)
        ctx.timelines[speaker].sort(key=lambda r: r.start_s)
    return [(round(s.start_s), s.owner) for s in describe_silences(ctx, RULES)], ctx


def test_question_then_silence_then_caller_answer_is_the_callers():
    got, _ = owners([("handler", 0, "Staffordshire Police how can I help?"), ("caller", 3, "My car was stolen."),
                     ("handler", 5, "What is the registration?"), ("caller", 18, "It is a b one two.")])
    assert [o for _, o in got] == ["caller"]


def test_caller_already_answered_so_the_silence_is_the_handlers():
    # The handler asked, the caller answered, then nobody spoke: the handler owes the next word,
    # even though the caller is the one who breaks the silence.
    got, ctx = owners([("handler", 0, "When did this last happen?"), ("caller", 2, "About twenty minutes ago."),
                       ("caller", 16, "Hello? Are you still there?")])
    assert got == [(3, "handler")]
    assert score_call(ctx, RULES).indicators["unexplained_silence"].status == "fail"


def test_handler_spoke_last_without_asking():
    got, _ = owners([("handler", 0, "What happened?"), ("caller", 2, "They broke the window."),
                     ("handler", 4, "Right okay."), ("caller", 18, "Hello?")])
    assert got == [(5, "handler")]


def test_a_dropped_word_still_counts_as_the_handlers_turn():
    # The handler said "Right." but the recogniser lost it: the speech detector still heard a turn.
    got, _ = owners([("handler", 0, "When did this happen?"), ("caller", 2, "About an hour ago."),
                     ("caller", 18, "Hello?")], [("handler", Region(4.0, 4.4))])
    assert got == [(4, "handler")]


def test_caller_backchannel_is_not_an_answer():
    got, _ = owners([("handler", 0, "Can you find the frame number for me?"), ("caller", 3, "Yeah hang on."),
                     ("caller", 17, "It is four five six one.")])
    assert got == [(4, "caller")]


def test_handler_backchannel_after_the_answer_keeps_it_the_handlers():
    got, _ = owners([("handler", 0, "What colour is the car?"), ("caller", 2, "It is blue."),
                     ("handler", 3.2, "Okay."), ("caller", 17, "Are you there?")])
    assert got == [(4, "handler")]


def test_question_in_the_middle_of_a_long_turn_is_no_longer_waiting():
    long_turn = ("Did you see which way they went? Okay so what I am going to do now is put a log on "
                 "for the neighbourhood team and they will look at the cameras in the area tomorrow morning.")
    got, _ = owners([("handler", 0, "Hello."), ("caller", 1, "Hi."), ("handler", 2, long_turn),
                     ("caller", 30, "Hello?")])
    assert [o for _, o in got] == ["handler"]


def test_question_then_a_short_aside_still_waits_for_the_caller():
    got, _ = owners([("handler", 0, "Can you tell me what he looked like? Take your time."),
                     ("caller", 17, "He was tall.")])
    assert got == [(4, "caller")]


def test_overlapping_question_asked_over_the_callers_end():
    # The handler starts asking before the caller has quite finished: the answer is still owed.
    got, _ = owners([("caller", 0, "They ran off towards the park at the end of the road."),
                     ("handler", 3.0, "Which park is that?"), ("caller", 18, "Victoria park.")])
    assert got == [(4, "caller")]


def test_a_bare_yes_answers_the_question():
    got, _ = owners([("handler", 0, "Is he still there?"), ("caller", 2, "Yes."), ("caller", 16, "Hello?")])
    assert got == [(2, "handler")]


def test_a_new_question_after_the_answer_is_owed_again():
    got, _ = owners([("handler", 0, "What is your name?"), ("caller", 2, "John Smith."),
                     ("handler", 3.5, "And your date of birth?"), ("caller", 18, "First of May.")])
    assert got == [(5, "caller")]


def test_caller_who_puts_the_handler_on_hold_to_fetch_the_answer_owns_the_wait():
    # "Hang on" plus more words is still the caller going off to find it; they come back with the answer.
    got, ctx = owners([("handler", 0, "Have you got the receipt? Could you go and find it for me?"),
                       ("caller", 4, "Yep, hold on, I think it is upstairs."),
                       ("caller", 20, "Found it, it is order seven seven one.")])
    assert got == [(7, "caller")]
    assert score_call(ctx, RULES).indicators["unexplained_silence"].status == "pass"


def test_a_hold_that_the_handler_breaks_stays_the_handlers():
    # Nobody came back with anything: the caller's "hang on" does not excuse the handler's silence.
    got, _ = owners([("handler", 0, "Have you got the receipt?"), ("caller", 2, "Hang on, I think it is upstairs."),
                     ("handler", 18, "Hello, are you still there?")])
    assert got == [(4, "handler")]


def test_a_holding_phrase_after_the_answer_does_not_put_the_handler_on_hold():
    # The answer came first; "hang on" at the end is not a hold for it.
    got, _ = owners([("handler", 0, "What colour was his coat?"),
                     ("caller", 2, "It was a green one with a hood, hang on."), ("caller", 18, "Sorry, yes, green.")])
    assert got == [(6, "handler")]


def test_a_reply_opening_with_okay_is_an_answer_not_a_hold():
    # One-word holding words ("okay", "right") open many answers; only a holding phrase puts the handler on hold.
    got, _ = owners([("handler", 0, "Which road are you on?"), ("caller", 2, "Okay, it is Mill Lane by the shop."),
                     ("caller", 18, "Hello?")])
    assert got == [(5, "handler")]
