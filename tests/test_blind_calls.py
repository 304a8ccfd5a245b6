"""The blind measuring set (sample_audio/blind/) is complete and well formed: manifest, truth files, audio.

Nothing here scores the calls: the set is for measuring (bench/accuracy.py), and its verdicts come from the
scripts' intent, so a test that ran callqa on them would tie the truth to the rules.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "sample_audio" / "blind"
INDICATORS = ("greeting", "unexplained_silence", "informal_language", "next_steps", "listening",
              "acknowledgement", "empathy", "recap", "repeated_questions", "vulnerability", "answer_time")
STATUSES = {"pass", "fail", "not_applicable"}
HEADER = ["call_id", "audio", "started_at", "call_type", "area", "handler_id", "layout", "answer_delay_s",
          "training"]


def manifest_rows() -> list[dict]:
    with (BLIND / "manifest.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER
        return list(reader)


def truths() -> dict[str, dict]:
    return {p.name.removesuffix(".truth.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(BLIND.glob("*.truth.json"))}


def make_samples():
    """sample_audio/make_samples.py as the module name its call files import (make_samples)."""
    folder = str(ROOT / "sample_audio")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = sys.modules.get("make_samples")
    if module is None:
        spec = importlib.util.spec_from_file_location("make_samples", ROOT / "sample_audio" / "make_samples.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_samples"] = module
        spec.loader.exec_module(module)
    return module


def blind_calls():
    """BLIND_CALLS from sample_audio/blind_calls.py (it imports make_samples and unseen_calls beside it)."""
    return make_samples().blind_module().BLIND_CALLS


def test_manifest_lists_every_call_once_with_its_files():
    rows = manifest_rows()
    ids = [r["call_id"] for r in rows]
    assert len(rows) == 20 and len(set(ids)) == 20
    assert set(ids) == set(truths()) == {p.stem for p in BLIND.glob("*.wav")}
    for r in rows:
        assert r["audio"] == f"{r['call_id']}.wav" and (BLIND / r["audio"]).is_file()
        assert r["layout"] == "stereo-handler-left" and r["training"] == "false"
        assert r["call_type"] in {"101", "999"} and r["area"] and r["handler_id"].startswith("H")
        assert float(r["answer_delay_s"]) >= 0


def test_truth_files_match_the_manifest_and_the_scripts():
    rows = {r["call_id"]: r for r in manifest_rows()}
    scripts = {c["id"]: c for c in blind_calls()}
    assert set(scripts) == set(rows)
    for cid, truth in truths().items():
        assert truth["call_id"] == cid and truth["layout"] == "stereo-handler-left"
        assert truth["call_type"] == rows[cid]["call_type"]
        assert truth["answer_delay_s"] == float(rows[cid]["answer_delay_s"])
        assert truth["expected"] == scripts[cid]["expected"], cid
        assert truth["notes"] == scripts[cid]["notes"] and set(truth["voices"]) == {"handler", "caller"}


def test_every_truth_has_all_eleven_indicators_and_consistent_metadata():
    for cid, truth in truths().items():
        expected = truth["expected"]
        assert tuple(expected) == INDICATORS, cid
        assert set(expected.values()) <= STATUSES, cid
        target = {"999": 10.0, "101": 120.0}[truth["call_type"]]
        assert expected["answer_time"] == ("pass" if truth["answer_delay_s"] <= target else "fail"), cid
        # the answer delay is never near its target (3 s for 999, 20 s for 101): a clear margin
        assert abs(truth["answer_delay_s"] - target) >= {"999": 3.0, "101": 20.0}[truth["call_type"]], cid
        assert truth["review_priority"] == ("high" if expected["vulnerability"] != "not_applicable" else "normal")
        if expected["vulnerability"] != "not_applicable":
            assert expected["empathy"] != "not_applicable", f"{cid}: a vulnerability needs empathy"


def test_the_set_has_passes_and_at_least_three_fails_of_every_indicator():
    counts = {name: Counter(t["expected"][name] for t in truths().values()) for name in INDICATORS}
    for name, c in counts.items():
        assert c["fail"] >= 3, (name, c)
        assert c["pass"] >= 3, (name, c)
    assert sum(t["call_type"] == "999" for t in truths().values()) >= 5


def test_each_call_has_its_own_voice_pairing():
    pairs = [(t["voices"]["handler"].split(":")[0], t["voices"]["caller"].split(":")[0]) for t in truths().values()]
    assert len(set(pairs)) == len(pairs) == 20
    assert all(h != c for h, c in pairs)


def test_turns_and_silences_are_well_formed():
    for cid, truth in truths().items():
        turns = truth["turns"]
        assert [t["start_s"] for t in turns] == sorted(t["start_s"] for t in turns), cid
        assert {t["speaker"] for t in turns} == {"handler", "caller"}, cid
        assert turns[0]["speaker"] == "handler", cid
        for t in turns:
            assert 0 <= t["start_s"] < t["end_s"] <= truth["duration_s"] and t["text"], cid
            assert t.get("overlap", "interruption") in {"interruption", "backchannel"}, cid
        interruptions = sum(t.get("overlap") == "interruption" for t in turns)
        assert (truth["expected"]["listening"] == "fail") == (interruptions >= 2), cid
        for s in truth["silences"]:
            assert s["owner"] in {"handler", "caller"} and isinstance(s["explained"], bool), cid
            assert s["duration_s"] >= 3.0 and not 8.0 <= s["duration_s"] < 11.0, cid
        long_unexplained = [s for s in truth["silences"]
                            if s["owner"] == "handler" and not s["explained"] and s["duration_s"] >= 10.0]
        assert (truth["expected"]["unexplained_silence"] == "fail") == bool(long_unexplained), cid


@pytest.mark.parametrize("cid", sorted(truths()))
def test_wav_is_8khz_stereo_mulaw_of_the_stated_duration(cid):
    truth = truths()[cid]
    info = sf.info(BLIND / f"{cid}.wav")
    assert (info.samplerate, info.channels, info.format, info.subtype) == (8000, 2, "WAV", "ULAW")
    assert abs(info.frames / info.samplerate - truth["duration_s"]) < 0.001
    assert 30.0 <= truth["duration_s"] <= 70.0


def test_turn_errors_align_a_whole_channel_with_its_turns():
    """--verify --set blind charges each recognition error to the turn it belongs to, by word order alone."""
    turn_errors = make_samples().turn_errors
    turns = [["okay", "what", "is", "the", "address"], ["thank", "you"], ["bye"]]
    heard = ["okay", "what", "is", "a", "address", "thank", "you", "you", "bye"]
    assert turn_errors(turns, heard) == [(1, ["okay", "what", "is", "a", "address"]), (1, ["thank", "you", "you"]),
                                         (0, ["bye"])]
    # a dropped short turn is a deletion of that turn only, not a shift of the others
    assert turn_errors(turns, ["okay", "what", "is", "the", "address", "bye"]) == [
        (0, ["okay", "what", "is", "the", "address"]), (2, []), (0, ["bye"])]

