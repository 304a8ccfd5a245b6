"""`callqa analyze` on the committed sample calls returns their ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from callqa.cli import main
from callqa.pipeline.indicators import INDICATORS
from tests.conftest import SAMPLES

CALLS = sorted(p.stem for p in SAMPLES.glob("*.wav"))
SCHEMA = json.loads(resources.files("callqa.pipeline").joinpath("result.schema.json").read_text())


def truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.truth.json").read_text())


def metadata_args(name: str) -> list[str]:
    """The recorder metadata a user passes for answer_time, from the call's truth file."""
    t = truth(name)
    return ["--call-type", t["call_type"], "--answer-delay", str(t["answer_delay_s"])]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    """Analyse every sample call once, through the CLI, as a user would."""
    out = tmp_path_factory.mktemp("results")
    for call in CALLS:
        assert main(["analyze", str(SAMPLES / f"{call}.wav"), *metadata_args(call),
                     "--out", str(out / f"{call}.json")]) == 0
    return {c: json.loads((out / f"{c}.json").read_text()) for c in CALLS}


def test_sample_set_covers_every_outcome():
    assert len(CALLS) >= 6
    outcomes = {(k, v) for c in CALLS for k, v in truth(c)["expected"].items()}
    for indicator in INDICATORS:
        assert (indicator, "pass") in outcomes and (indicator, "fail") in outcomes, indicator


@pytest.mark.parametrize("call", CALLS)
def test_indicator_statuses_match_ground_truth(results, call):
    result = results[call]
    got = {k: v["status"] for k, v in result["indicators"].items()}
    assert got == truth(call)["expected"]
    assert result["review_priority"] == truth(call)["review_priority"]
    for unsure in (False, True):  # findings first, then flags that need review, each most severe first
        severities = [f["severity"] for f in result["flags"] if f["needs_review"] == unsure]
        assert severities == sorted(severities, key=["high", "medium", "low"].index)
    for name, indicator in result["indicators"].items():
        if indicator["status"] == "fail":
            assert any(f["indicator"] == name for f in result["flags"])
        for evidence in indicator["evidence"]:
            assert evidence["rule"] and 0 <= evidence["start_s"] <= result["duration_s"]


@pytest.mark.parametrize("call", CALLS)
def test_no_verdict_hangs_on_one_uncertain_word(results, call):
    """The recogniser's output differs slightly between CPUs. Dropping any one word it was unsure of
    (probability < 0.5) must leave every status as the truth file says: a margin, re-scored
    without speech-to-text from the stored transcript and sentence vectors."""
    import copy

    from callqa.rescore import rescore_transcription
    from callqa.pipeline.rules import load_rule_pack

    rules, t = load_rule_pack(), truth(call)
    stored = {**results[call], "vectors": results[call]["sentence_vectors"]}
    for si, segment in enumerate(stored["transcript"]):
        for wi, word in enumerate(segment["words"]):
            if word["probability"] >= 0.5:
                continue
            changed = copy.deepcopy(stored)
            seg = changed["transcript"][si]
            del seg["words"][wi]
            if seg["words"]:
                seg["text"] = "".join(w["text"] for w in seg["words"]).strip()
            else:
                del changed["transcript"][si]
            got = rescore_transcription(changed, rules, t["call_type"], t["answer_delay_s"])["indicators"]
            assert {k: v["status"] for k, v in got.items()} == t["expected"], f"without {word['text']!r}"


@pytest.mark.parametrize("call", CALLS)
def test_silences_match_ground_truth(results, call):
    expected = truth(call)["silences"]
    got = results[call]["silences"]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        assert g["start_s"] == pytest.approx(e["start_s"], abs=0.4)
        assert g["end_s"] == pytest.approx(e["end_s"], abs=0.4)
        assert (g["owner"], g["explained"], g["broken_by"]) == (e["owner"], e["explained"], e["broken_by"])


@pytest.mark.parametrize("call", CALLS)
def test_result_json_follows_schema_and_speakers_follow_channels(results, call):
    result = results[call]
    jsonschema.validate(result, SCHEMA)
    assert result["call_id"] == call and result["layout"] == "stereo"
    assert result["engine"] == {"name": "faster-whisper", "model": "tiny.en"}
    turns = truth(call)["turns"]
    for seg in result["transcript"]:
        # each transcribed segment overlaps a scripted turn of the same speaker
        assert any(t["speaker"] == seg["speaker"] and t["start_s"] - 0.5 < seg["end_s"]
                   and seg["start_s"] < t["end_s"] + 0.5 for t in turns), seg
    # gating: far less audio decoded than the two full channels
    assert result["stats"]["speech_decoded_s"] < 0.8 * result["stats"]["channel_audio_s"]


@pytest.fixture(scope="module")
def mono_results(analyzer) -> dict[str, dict]:
    """Every sample call with both parties mixed on one channel."""
    return {call: analyzer.analyze(SAMPLES / f"{call}.wav", "mono", call_type=truth(call)["call_type"],
                                   answer_delay_s=truth(call)["answer_delay_s"]).to_dict() for call in CALLS}


# Known mono differences (issue 12, measured): in `interruptions` the handler's words spoken over
# the caller are lost when one decode hears the louder voice, so no talk-over is seen; in
# `explained_silence` the mono decode puts a comma in "..., and I can't get my car out.", and
# that clause alone reads as distress to the intent model. Not strict: another CPU may decode
# them differently.
MONO_KNOWN = {"interruptions": "talk-over is lost in one mixed decode",
              "explained_silence": "a clause of the mono decode reads as distress"}


@pytest.mark.parametrize("call", [pytest.param(c, marks=pytest.mark.xfail(reason=MONO_KNOWN[c], strict=False))
                                  if c in MONO_KNOWN else c for c in CALLS])
def test_mono_mix_gives_the_stereo_statuses(results, mono_results, call):
    """Both parties mixed on one channel: diarization finds who is the handler, and all eleven
    indicators come out as on the stereo original."""
    result = mono_results[call]
    jsonschema.validate(result, SCHEMA)
    assert result["layout"] == "mono" and result["attribution"]["method"] == "diarization"
    assert result["attribution"]["confidence"] >= 0.5, result["attribution"]
    speakers = {s["speaker"] for s in result["transcript"]}
    assert {"handler", "caller"} <= speakers
    got = {k: v["status"] for k, v in result["indicators"].items()}
    assert got == {k: v["status"] for k, v in results[call]["indicators"].items()}, result["attribution"]


def test_console_script_writes_json_to_stdout_and_summary_to_stderr():
    exe = Path(sys.executable).with_name("callqa")
    proc = subprocess.run([str(exe), "analyze", str(SAMPLES / "no_greeting.wav"), "--summary"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["indicators"]["greeting"]["status"] == "fail"
    assert "FAIL greeting" in proc.stderr


def test_bad_file_in_a_batch_is_reported_and_the_rest_analysed(tmp_path, capsys):
    bad = tmp_path / "broken.wav"
    bad.write_text("this is not audio")
    out = tmp_path / "out"
    code = main(["analyze", str(bad), str(SAMPLES / "good_999.wav"), "--out", str(out)])
    assert code == 3  # exit codes (README): 3, some calls had problems
    err = capsys.readouterr().err
    assert f"{bad}: not an audio file" in err
    assert "Traceback" not in err
    assert json.loads((out / "good_999.json").read_text())["call_id"] == "good_999"


def test_unknown_config_key_is_a_clear_error(tmp_path, capsys):
    config = tmp_path / "callqa.toml"
    config.write_text("[vad]\naggresiveness = 2\n")
    assert main(["analyze", str(SAMPLES / "good_999.wav"), "--config", str(config)]) == 6  # a configuration error
    assert "unknown setting(s) aggresiveness" in capsys.readouterr().err


def test_progress_and_call_id(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["analyze", str(SAMPLES / "good_999.wav"), "--progress", "--call-id", "999-0042",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "good_999.wav: transcribing handler" in err and "100%" in err
    assert json.loads(out.read_text())["call_id"] == "999-0042"


def test_recording_without_speech_is_not_judged(analyzer, tmp_path):
    import numpy as np
    import soundfile as sf

    hiss = np.random.default_rng(2).normal(0, 10 ** (-58 / 20), (8000 * 20, 2)).astype(np.float32)
    path = tmp_path / "abandoned.wav"
    sf.write(path, hiss, 8000, subtype="ULAW")
    result = analyzer.analyze(path).to_dict()
    assert result["transcript"] == [] and result["flags"] == []
    assert {v["status"] for v in result["indicators"].values()} == {"not_applicable"}
    assert result["stats"]["speech_decoded_s"] == 0


def _overlap(a: list, b: list) -> float:
    return sum(max(0.0, min(x[1], y[1]) - max(x[0], y[0])) for x in a for y in b)


def test_mono_handler_identification_accuracy(mono_results):
    """Share of the speech labelled handler on the mono mixes that really is the handler's, per call."""
    accuracies = {}
    for call in CALLS:
        result = mono_results[call]
        handler_truth = [(t["start_s"], t["end_s"]) for t in truth(call)["turns"] if t["speaker"] == "handler"]
        caller_truth = [(t["start_s"], t["end_s"]) for t in truth(call)["turns"] if t["speaker"] == "caller"]
        said = result["speech"]["handler"]
        right, wrong = _overlap(said, handler_truth), _overlap(said, caller_truth)
        accuracies[call] = right / (right + wrong)
    print("\nhandler identification on mono mixes (share of 'handler' speech that is the handler's): "
          + ", ".join(f"{c} {a:.2f}" for c, a in accuracies.items()))
    correct = sum(a > 0.5 for a in accuracies.values())
    print(f"handler identified correctly on {correct} of {len(accuracies)} calls")
    assert correct == len(accuracies)
    assert sum(accuracies.values()) / len(accuracies) >= 0.9


def test_two_files_with_one_name_are_refused_before_any_work(tmp_path, capsys):
    """`analyze a/x.wav b/x.wav --out out/` would write out/x.json twice: say so, analyse nothing."""
    import shutil

    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(SAMPLES / "good_999.wav", tmp_path / sub / "x.wav")
    out = tmp_path / "out"
    code = main(["analyze", str(tmp_path / "a" / "x.wav"), str(tmp_path / "b" / "x.wav"), "--out", str(out)])
    assert code == 2
    assert "would all be written to" in capsys.readouterr().err
    assert not out.exists() or not list(out.iterdir())
