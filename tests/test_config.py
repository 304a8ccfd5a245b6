"""Rule packs and configuration files: defaults, overrides, and loud failures on mistakes."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from callqa.pipeline.config import AnalysisConfig, load_config
from callqa.pipeline.errors import CallQAError, RulePackError
from callqa.pipeline.rules import SCHEMA, load_rule_pack, parse_rule_pack


def default_pack() -> dict:
    return tomllib.loads(resources.files("callqa.models").joinpath("rules", "staffordshire.toml").read_text())


def test_default_pack_is_staffordshire_and_complete():
    pack = load_rule_pack()
    assert pack.force == "Staffordshire"
    assert pack.version.startswith("staffordshire-")
    for section, keys in SCHEMA.items():
        if section:
            assert set(pack.section(section)) == set(keys)
    assert pack.section("silence")["fail_s"] == 10.0
    assert pack.section("silence")["min_silence_s"] == 3.0


@pytest.mark.parametrize("edit,message", [
    (lambda d: d.update(colour="blue"), "unknown key 'colour'"),
    (lambda d: d["silence"].update(fail_after=12), r"\[silence\] unknown key\(s\) fail_after"),
    (lambda d: d["silence"].update(fail_s="ten"), "silence.fail_s: expected a number"),
    (lambda d: d["silence"].update(fail_s=-1), "out of range"),
    (lambda d: d["matching"].update(fuzzy_threshold=140), "out of range"),
    (lambda d: d["greeting"].update(help_offers=[]), "non-empty list of phrases"),
    (lambda d: d["next_steps"].pop("phrases"), "next_steps.phrases: missing"),
    (lambda d: d.pop("informal_language"), r"missing section \[informal_language\]"),
    (lambda d: d.update(version=""), "version: expected a non-empty string"),
])
def test_bad_rule_packs_are_refused_with_the_key_named(edit, message):
    data = default_pack()
    edit(data)
    with pytest.raises(RulePackError, match=message):
        parse_rule_pack(data, "custom.toml")


def test_rule_pack_file_errors_name_the_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [\n")
    with pytest.raises(RulePackError, match=f"{broken}: not valid TOML"):
        load_rule_pack(broken)
    with pytest.raises(RulePackError, match="cannot read rule pack"):
        load_rule_pack(tmp_path / "absent.toml")


def test_config_file_overrides_sections_and_flags_override_file(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text((resources.files("callqa.models") / "rules" / "staffordshire.toml").read_text()
                    .replace('force = "Staffordshire"', 'force = "West Mercia"'))
    config_file = tmp_path / "callqa.toml"
    config_file.write_text('rules = "pack.toml"\n[vad]\naggressiveness = 2\nmerge_gap_s = 0.5\n'
                           '[stt]\nmodel = "base"\nbeam_size = 5\n')
    config = load_config(config_file, model="tiny.en")
    assert config.vad.aggressiveness == 2 and config.vad.merge_gap_s == 0.5
    assert config.stt.beam_size == 5 and config.stt.model == "tiny.en"
    assert load_rule_pack(config.rules).force == "West Mercia"
    assert load_config() == AnalysisConfig()


@pytest.mark.parametrize("text,message", [
    ("[vad]\naggressiveness = true\n", "expected int"),
    ("[stt]\nbeam_size = \"five\"\n", "expected int"),
    ("[audio]\nrate = 8000\n", "unknown section"),
    ("[stt]\nmodle = \"base\"\n", "unknown setting"),
    ("[redaction]\npostcodes = false\n", "unknown setting"),
    ("[redaction]\naudio_mode = \"beep\"\n", "audio_mode"),
    ("[redaction]\npad_s = \"0.1\"\n", "expected float"),
    ("[redaction]\nreference_patterns = [\"(unclosed\"]\n", "not a regex"),
    ("[redaction]\nreference_patterns = \"incident \\\\d+\"\n", "expected tuple"),
])
def test_bad_config_files_are_refused(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(CallQAError, match=message):
        load_config(path)


def test_indicators_are_declared_once():
    """The result schema, the rule pack's tables and the evaluators all follow pipeline/catalog.py."""
    import json
    from importlib import resources

    from callqa.pipeline.catalog import INDICATORS
    from callqa.pipeline.indicators import EVALUATORS
    from callqa.pipeline.rules import load_rule_pack

    schema = json.loads(resources.files("callqa.pipeline").joinpath("result.schema.json").read_text())
    assert schema["properties"]["indicators"]["required"] == list(INDICATORS)
    assert set(EVALUATORS) | {"unexplained_silence"} == set(INDICATORS)
    rules = load_rule_pack()
    assert set(rules.section("scoring")["weights"]) == set(INDICATORS)
    assert rules.indicator_names == INDICATORS  # the shipped custom indicators are off by default


@pytest.mark.parametrize("section,key,value,message", [
    ("stt", "engine", "whisper-cpp", "stt.engine: expected one of faster-whisper, openai-whisper"),
    ("stt", "gate", "vda", "stt.gate: expected one of vad, none"),
    ("stt", "compute_type", "int4", "stt.compute_type: expected one of int8"),
    ("stt", "language", "English", "stt.language: expected a language code"),
    ("stt", "cpu_threads", 0, "stt.cpu_threads: expected 1 to 64"),
    ("stt", "beam_size", 0, "stt.beam_size"),
    ("stt", "block_s", 5.0, "stt.block_s: expected 30 to 3600"),
    ("stt", "max_ngram_repeats", 0, "stt.max_ngram_repeats"),
    ("vad", "aggressiveness", 4, "vad.aggressiveness: expected one of 0, 1, 2, 3"),
    ("vad", "frame_ms", 25, "vad.frame_ms: expected one of 10, 20, 30"),
    ("vad", "smooth_frames", 0, "vad.smooth_frames"),
    ("vad", "energy_floor_dbfs", 10.0, "vad.energy_floor_dbfs"),
])
def test_every_enumerated_setting_is_checked_when_the_config_loads(tmp_path, section, key, value, message):
    """Issue 14: a bad [stt] engine or gate raised a bare ValueError after the model had loaded. Now
    loading the file fails, naming the file, the section and the key, before anything runs."""
    path = tmp_path / "callqa.toml"
    path.write_text(f"[{section}]\n{key} = {value!r}\n".replace("'", '"'))
    with pytest.raises(CallQAError, match=rf"{path} \[{section}\]: .*{message}"):
        load_config(path)


def test_a_bad_engine_flag_is_refused_before_any_model_loads():
    with pytest.raises(CallQAError, match="command line: stt.gate"):
        load_config(None, gate="sometimes")
