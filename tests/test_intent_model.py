"""The intent model: fitted from the rule pack's sentences, taught by a QA lead, cached, evidenced."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from callqa.pipeline.errors import RulePackError
from callqa.pipeline.indicators import next_steps
from callqa.pipeline.intents import detect
from callqa.pipeline.intents.model import MIN_PER_CLASS, TrainingSet, cache_key, training_sets
from callqa.pipeline.rules import load_rule_pack, parse_rule_pack
from callqa.pipeline.tomlfile import read_toml
from tests.helpers import context

RULES = load_rule_pack()
GREET = ("handler", 0.0, "Staffordshire Police, how can I help?")


def pack(change, version: str):
    data, source = read_toml(None, ("rules", "staffordshire.toml"), "rule pack", RulePackError)
    change(data)
    data["version"] = version
    return parse_rule_pack(data, source)


def test_training_sets_label_exemplars_counters_and_the_speakers_examples():
    cfg = {"by_intent": {"recap": {"exemplars": ["so to recap you were out"], "counter_exemplars": ["what happened"]}},
           "examples": [{"speaker": "handler", "text": "So, just to read that back: the van is white.",
                         "intents": ["recap"]},
                        {"speaker": "handler", "text": "What colour was the van?", "intents": []},
                        {"speaker": "caller", "text": "It was white.", "intents": []}]}
    (recap,) = training_sets(cfg, {"recap": "handler"})
    labelled = dict(zip(recap.texts, recap.labels))
    assert labelled == {"so just to read that back the van is white": True, "what colour was the van": False,
                        "what happened": False, "so to recap you were out": True}  # the caller's line is not used


def test_an_intent_with_few_sentences_is_left_to_its_nearest_exemplar():
    few = TrainingSet("custom.name_given", ("my name is sam",) * 3, (True, True, True))
    enough = TrainingSet("x", tuple(f"t{i}" for i in range(2 * MIN_PER_CLASS)), (True, False) * MIN_PER_CLASS)
    assert not few.trainable and enough.trainable


def test_the_shipped_pack_models_every_built_in_intent_but_the_force_name():
    bank = detect.exemplar_bank(RULES, "all-MiniLM-L6-v2")
    assert "force_name" not in bank.model.names
    assert {"next_steps", "recap", "empathy", "safeguarding", "distress", "vulnerability.self_harm"} <= set(bank.model.names)


def test_model_hit_gives_probability_and_the_nearest_exemplar_as_evidence():
    ctx = context([GREET, ("caller", 3.0, "Someone's in my garden with a torch."),
                   ("handler", 6.0, "Stay inside, I've got a unit making its way to you right now.")])
    result = next_steps.evaluate(ctx, RULES)
    assert result.status == "pass"
    extra = result.evidence[0].extra
    assert 0.5 <= extra["probability"] <= 1 and extra["matched"] and 0 < extra["similarity"] <= 1
    assert "intent model" in result.evidence[0].rule or extra["method"] != "exemplar"


def test_a_qa_lead_teaches_a_new_phrasing_by_adding_examples():
    """A force's own wording for a next step, unknown to the shipped pack, is learnt from examples."""
    line = "I'm popping a marker on the address with the Bravo team for tonight."
    ctx = context([GREET, ("caller", 3.0, "The lads are back on the wall outside again."), ("handler", 6.0, line)])
    assert next_steps.evaluate(ctx, RULES).status == "fail"

    def teach(data):
        data["intents"]["next_steps"]["exemplars"] = data["intents"]["next_steps"]["exemplars"] + [
            "i am popping a marker on the address for the bravo team", "the bravo team will have a marker for tonight",
            "i will put a marker on your address with the bravo team", "bravo team will see the marker tonight"]
    taught = pack(teach, "test-taught")
    assert next_steps.evaluate(ctx, taught).status == "pass"


def test_changing_the_sentences_changes_the_cache_key_and_nothing_else_does():
    sets = training_sets(RULES.section("intents"), {"recap": "handler"})
    other = [dataclasses.replace(sets[0], labels=(not sets[0].labels[0],) + sets[0].labels[1:])]
    assert cache_key(sets, "m", 0.9) == cache_key(list(sets), "m", 0.9) != cache_key(sets, "m", 0.8)
    assert cache_key(sets, "m", 0.9) != cache_key(other, "m", 0.9) != cache_key(sets, "other-model", 0.9)


def test_the_fitted_model_is_cached_between_processes(tmp_path, monkeypatch):
    """A worker or `callqa rescore` loads the fitted weights: nothing is fitted or embedded again."""
    import callqa.pipeline.intents.model as model
    import callqa.pipeline.intents.vectors as v

    monkeypatch.setenv("CALLQA_MODEL_CACHE", str(tmp_path))
    rules = dataclasses.replace(RULES, version="model-cache-test")
    first = detect.exemplar_bank(rules, "all-MiniLM-L6-v2")
    assert list(tmp_path.glob("intent-model-*.npz"))
    detect._BANKS.clear()
    monkeypatch.setattr(model, "fit", lambda *a: pytest.fail("the cached model was fitted again"))
    monkeypatch.setattr(v, "_encoder", lambda: pytest.fail("the cached model's sentences were embedded again"))
    again = detect.exemplar_bank(rules, "all-MiniLM-L6-v2")
    assert again.model.names == first.model.names
    assert np.allclose(again.model.weights, first.model.weights) and np.allclose(again.model.bias, first.model.bias)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["intents"].pop("precision"), "intents.precision: missing"),
    (lambda d: d["intents"]["recap"].update(probability=1.5), "intents.recap.probability"),
    (lambda d: d["intents"]["recap"].update(veto_below="low"), "intents.recap.veto_below"),
])
def test_bad_model_thresholds_are_refused(change, message):
    with pytest.raises(RulePackError, match=message):
        pack(change, "test-bad")
