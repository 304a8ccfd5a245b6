"""Intents on hand-built transcripts: paraphrase, traps, order, confidence and custom indicators."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from callqa.pipeline.errors import RulePackError
from callqa.pipeline.indicators import empathy, informal_language, next_steps, score_call
from callqa.pipeline.intents import SentenceVectors
from callqa.pipeline.rules import load_rule_pack, parse_rule_pack
from callqa.pipeline.tomlfile import read_toml
from callqa.pipeline.transcript import Segment, Word
from tests.helpers import context

RULES = load_rule_pack()
GREET = ("handler", 0.0, "Staffordshire Police, how can I help?")


def with_custom(**enabled):
    data, source = read_toml(None, ("rules", "staffordshire.toml"), "rule pack", RulePackError)
    for name, on in enabled.items():
        data["custom"][name]["enabled"] = on
    data["version"] = "test-custom"
    return parse_rule_pack(data, source)


def test_next_steps_in_new_wording_names_what_it_matched():
    ctx = context([GREET, ("caller", 3.0, "Someone is kicking my door in."),
                   ("handler", 6.0, "I've got officers travelling to you on blue lights.")])
    result = next_steps.evaluate(ctx, RULES)
    assert result.status == "pass"
    ev = result.evidence[0]
    assert ev.extra["method"] in ("exemplar", "phrase", "phrase+exemplar") and ev.extra["matched"]
    assert 0 < ev.extra["similarity"] <= 1 and 0 < result.confidence <= 1


def test_asking_for_a_frame_number_is_not_a_next_step():
    ctx = context([GREET, ("caller", 3.0, "My bike was stolen from the shed."),
                   ("handler", 6.0, "Do you have the frame number for the bike?"),
                   ("caller", 9.0, "No I don't."), ("handler", 11.0, "Okay thanks for calling, bye.")])
    assert next_steps.evaluate(ctx, RULES).status == "fail"


def test_a_reference_read_out_is_a_next_step():
    ctx = context([GREET, ("handler", 5.0, "Your crime reference is S P four one seven two.")])
    result = next_steps.evaluate(ctx, RULES)
    assert result.status == "pass"
    assert any("reference" in e.rule for e in result.evidence)


def test_empathy_must_follow_the_cue():
    before = context([GREET, ("handler", 3.0, "I'm so sorry to hear that."),
                      ("caller", 6.0, "I'm really scared, he's outside."), ("handler", 9.0, "What's the address?")])
    after = context([GREET, ("caller", 3.0, "I'm really scared, he's outside."),
                     ("handler", 6.0, "I'm so sorry, that must be frightening. What's the address?")])
    assert empathy.evaluate(before, RULES).status == "fail"
    assert empathy.evaluate(after, RULES).status == "pass"


@pytest.mark.parametrize("text", ["Right sweetheart, has anything like this happened before?",
                                  "Okay darling, did you see which way he went?"])
def test_term_of_address_followed_by_a_verb_is_still_address(text):
    ctx = context([GREET, ("handler", 4.0, text)])
    assert informal_language.evaluate(ctx, RULES).status == "fail"


@pytest.mark.parametrize("text", ["Is that on Love day Close?", "The officers will come to Duck Lane.",
                                  "I'd love to help with that.", "Did your mate see it?"])
def test_street_names_and_ordinary_words_are_not_address(text):
    ctx = context([GREET, ("handler", 4.0, text)])
    assert informal_language.evaluate(ctx, RULES).status == "pass"


def test_low_word_probabilities_make_a_flag_need_review():
    words = [Word(" " + w, 0.5 + i * 0.3, 0.8 + i * 0.3, 0.15) for i, w in enumerate("Hello what's happened".split())]
    ctx = context([("caller", 3.0, "My car has gone."), ("handler", 6.0, "Okay.")])
    ctx.segments.insert(0, Segment("handler", 0.5, words[-1].end_s, "Hello what's happened", words))
    ctx.timelines["handler"].insert(0, type(ctx.timelines["caller"][0])(0.5, words[-1].end_s))
    scoring = score_call(ctx, RULES)
    greeting = scoring.indicators["greeting"]
    assert greeting.status == "fail"
    flag = next(f for f in scoring.flags if f.indicator == "greeting")
    assert flag.confidence == greeting.confidence
    assert flag.needs_review == (greeting.confidence < RULES.section("scoring")["review_below"])


def test_custom_indicator_from_the_rule_pack():
    rules = with_custom(handler_gave_name=True)
    named = context([("handler", 0.0, "Staffordshire Police, my name is Sarah, how can I help?"),
                     ("caller", 4.0, "My car was stolen.")])
    unnamed = context([GREET, ("caller", 4.0, "My car was stolen.")])
    yes, no = score_call(named, rules), score_call(unnamed, rules)
    assert yes.indicators["handler_gave_name"].status == "pass"
    assert yes.indicators["handler_gave_name"].evidence[0].rule.startswith("custom.handler_gave_name")
    assert no.indicators["handler_gave_name"].status == "fail"
    assert any(f.indicator == "handler_gave_name" and f.severity == "low" for f in no.flags)
    assert "handler_gave_name" not in score_call(unnamed, RULES).indicators  # off by default


@pytest.mark.parametrize("change, message", [
    (lambda d: d["intents"].update(nonsense={"exemplars": ["x"]}), "unknown intent"),
    (lambda d: d["intents"]["next_steps"].update(similarity=2), "0 to 1"),
    (lambda d: d["custom"]["handler_gave_name"].update(where="middle"), "where"),
    (lambda d: d["custom"]["handler_gave_name"].update(rule="maybe"), "rule"),
    (lambda d: d["intents"].update(examples="../etc/passwd"), "file name beside the pack"),
    (lambda d: d["scoring"].update(review_below=1.5), "review_below"),
])
def test_bad_intent_and_custom_tables_are_refused(change, message):
    data, source = read_toml(None, ("rules", "staffordshire.toml"), "rule pack", RulePackError)
    change(data)
    with pytest.raises(RulePackError, match=message):
        parse_rule_pack(data, source)


def test_sentence_vectors_round_trip():
    vectors = SentenceVectors("m", {"a b": np.ones(4, np.float32) / 2, "c": np.zeros(4, np.float32)})
    back = SentenceVectors.from_dict(vectors.to_dict())
    assert back.model == "m" and set(back.vectors) == {"a b", "c"}
    assert np.allclose(back.vectors["a b"], 0.5)


def test_rescoring_needs_no_encoder_when_vectors_are_stored(monkeypatch):
    ctx = context([GREET, ("caller", 3.0, "My shed was broken into."),
                   ("handler", 6.0, "Okay, an officer will call you back tomorrow.")])
    first = score_call(ctx, RULES)
    stored = SentenceVectors.from_dict(ctx.vectors.to_dict())
    import callqa.pipeline.intents.vectors as v

    monkeypatch.setattr(v, "_encoder", lambda: pytest.fail("re-scoring loaded the encoder"))
    again = context([GREET, ("caller", 3.0, "My shed was broken into."),
                     ("handler", 6.0, "Okay, an officer will call you back tomorrow.")])
    again.vectors = stored
    rules = dataclasses.replace(RULES)  # same pack: its exemplars are already embedded
    assert {k: r.status for k, r in score_call(again, rules).indicators.items()} == \
        {k: r.status for k, r in first.indicators.items()}


def test_exemplar_vectors_are_cached_between_processes(tmp_path, monkeypatch):
    """A worker or `callqa rescore` finds the pack's exemplars already embedded: no encoder needed."""
    import callqa.pipeline.intents.vectors as v
    from callqa.pipeline.intents import detect

    monkeypatch.setenv("CALLQA_MODEL_CACHE", str(tmp_path))
    rules = dataclasses.replace(RULES, version="cache-test")
    first = detect.exemplar_bank(rules, "all-MiniLM-L6-v2")
    assert list(tmp_path.glob("exemplars-*.npy"))
    detect._BANKS.clear()  # as a new process would start
    monkeypatch.setattr(v, "_encoder", lambda: pytest.fail("the cached exemplars were embedded again"))
    again = detect.exemplar_bank(rules, "all-MiniLM-L6-v2")
    assert np.allclose(first.matrix, again.matrix)


def test_a_match_that_began_in_an_earlier_unit_is_not_at_the_start_of_this_one():
    """A 30-minute mono mix crashed scoring with `tuple.index(x): x not in tuple` (bench_memory
    --layout mono): two of the handler's units overlapped in time, and an "okay" inside the later
    unit's span began in the earlier one. Such a match now counts as not at the start of the unit."""
    from callqa.pipeline.intents.detect import _position
    from callqa.pipeline.matching import tokens_of

    tokens = tuple(tokens_of(context([("handler", 0.0, "okay where was the car")]).segments))
    other = tokens_of(context([("handler", 9.0, "okay")]).segments)[0]
    assert _position(tokens, tokens[0]) == 0 and _position(tokens, tokens[2]) == 2
    assert _position(tokens, other) > 1


QUESTION_STARTS = RULES.section("silence")["question_starts"]


@pytest.mark.parametrize("text", [
    "okay and whats your surname",                           # lead-in, no apostrophe, no "?"
    "Staffordshire Police, good morning, what's happened",   # the force's name before the question
    "stafford shire police how can i help",
    "Police, tell me exactly where you are.",                # a request for an answer
    "spell your last name out for me letter by letter",
    "so thats flat 2 forty one meadow lane is that right",   # a read-back with a closing tag
    "Right, is he still in the house",
    "stafferdshire police whats happened",                   # the force's name misspelt before the question
    "staff ordshire police sam speaking what seems to be the problem",  # a name, then asking
    "nice one ta and which way did he go",                   # a regional lead-in
    "stafford street near the bus station is it",            # a tag question's auxiliary and pronoun
    "it goes quiet round there after the pubs shut doesnt it",
    "tidy and where to is that then love",                   # a trailing "then" and term of address
    "ok so im putting that he was drunk and kicked the door is that fair",
    "yous alright with that then",
])
def test_questions_without_a_question_mark(text):
    from callqa.pipeline.intents.questions import is_question

    assert is_question(text, QUESTION_STARTS, 2)


@pytest.mark.parametrize("text", [
    "Police are on their way to you now.",                   # lead-in then "are": no subject, a statement
    "So what we've agreed is an officer will ring you tomorrow.",
    "When he comes back, ring 999 straight away.",
    "What a horrible thing to happen on your birthday.",
    "Give me a second while I check the map.",
    "That is fine, thank you.",
    "Sorry to keep you waiting.",
    "your safe now you can talk to me",                      # "your safe" is reassurance, not asking
    "I'm just going to check our systems, which can take a minute.",  # a relative clause, not asking
    "There was a report on your road, where a couple of bikes were taken.",
    "That's what it is.",                                    # pronoun then auxiliary: a statement
])
def test_statements_are_not_questions(text):
    from callqa.pipeline.intents.questions import is_question

    assert not is_question(text, QUESTION_STARTS, 2)


@pytest.mark.parametrize("text", [
    "Is it a Staffordshire bull terrier or a boxer?",
    "That one is for Staffordshire County Council.",
    "Staffordshire Fire and Rescue are coming as well.",
    "Whereabouts in the Staffordshire Moorlands are you?",
    "Is that Stafford in Staffordshire, or Stratford?",
    "Which part of Stafford are you in?",                   # a fuzzy window that takes in "are"
])
def test_other_bodies_and_places_are_not_the_force(text):
    finder = context([("handler", 0.0, text)]).intents(RULES)
    assert not finder.hits("force_name")


@pytest.mark.parametrize("text", ["Staffordshire Police, how can I help?", "hello staffordshire, how can i help",
                                  "stafford shire police whats your emergency", "This is Staffordshire, police."])
def test_the_force_named_alone_or_split_is_still_the_force(text):
    finder = context([("handler", 0.0, text)]).intents(RULES)
    assert finder.hits("force_name")


def test_are_you_okay_asks_after_safety_and_is_not_empathy():
    finder = context([GREET, ("caller", 3.0, "He's just hit me."), ("handler", 6.0, "Are you okay?")]).intents(RULES)
    assert finder.hits("safeguarding") and not finder.hits("empathy")


def test_a_next_step_asked_with_a_closing_tag_is_still_a_next_step():
    """"..., is that okay?" makes a question of a statement, but the next step is still stated; a
    run-on sentence with a question inside is not a question as a whole."""
    for line in ["An officer will ring you tomorrow morning is that okay",
                 "officers are minutes away you stay upstairs with the door locked have you got all that"]:
        ctx = context([GREET, ("caller", 3.0, "He's outside my house again."), ("handler", 6.0, line)])
        assert next_steps.evaluate(ctx, RULES).status == "pass", line


def test_advice_that_opens_with_when_is_a_next_step():
    """"When he comes back, ring 999" was taken for a question, so the next step was never looked for."""
    ctx = context([GREET, ("caller", 3.0, "My ex keeps turning up at the house."),
                   ("handler", 6.0, "When he comes back, ring 999 straight away and don't open the door.")])
    assert next_steps.evaluate(ctx, RULES).status == "pass"


def test_a_read_back_asked_as_a_question_is_a_recap():
    """A third of the tune split's recaps end "..., is that right?": a recap is no longer statement-only."""
    from callqa.pipeline.intents import INTENTS

    assert not INTENTS["recap"].statement
    line = "So just to go over it, he came in through the back door and took your laptop, is that right?"
    finder = context([GREET, ("handler", 5.0, line)]).intents(RULES)
    assert finder.hits("recap")


def test_the_extra_examples_are_valid_and_in_the_packs_examples_file():
    """The hand-written examples use known intents and speakers, and bench/make_examples.py has been
    run since they changed: every one of them is in the examples file the pack loads."""
    import tomllib
    from pathlib import Path

    from callqa.pipeline.intents import INTENTS

    rules_dir = Path(__file__).resolve().parents[1] / "models" / "rules"
    extra = tomllib.loads((rules_dir / "staffordshire.extra_examples.toml").read_text(encoding="utf-8"))["example"]
    assert len(extra) >= 200
    for example in extra:
        assert set(example) == {"speaker", "text", "intents"} and example["speaker"] in ("handler", "caller")
        assert all(INTENTS[i].speaker == example["speaker"] for i in example["intents"]), example
    loaded = {(e["speaker"], e["text"]) for e in RULES.section("intents")["examples"]}
    from callqa.pipeline.matching import normalised_phrase

    missing = [e["text"] for e in extra if (e["speaker"], normalised_phrase(e["text"])) not in loaded]
    assert not missing, f"run bench/make_examples.py: {missing[:3]}"
