"""bench/accuracy.py's blind split: figures only, never the lines, and bench/intent_cv.py's folds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str):
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LINES = [
    {"id": "b1", "speaker": "handler", "text": "Officers are on their way to you now.", "intents": ["next_steps"]},
    {"id": "b2", "speaker": "handler", "text": "What colour was the zebra crossing?", "intents": ["question"]},
    {"id": "b3", "speaker": "caller", "text": "Please hurry, I'm terrified he'll come back.", "intents": ["distress"]},
]


def test_the_blind_split_prints_figures_and_never_its_lines(tmp_path, monkeypatch, capsys):
    accuracy = _module("accuracy")
    blind = tmp_path / "blind_utterances.jsonl"
    blind.write_text("".join(json.dumps({**x, "split": "blind", "noise": False}) + "\n" for x in LINES))
    monkeypatch.setattr(accuracy, "BLIND", blind)
    out = tmp_path / "figures.json"
    assert accuracy.main(["--part", "utterances", "--split", "blind", "--errors", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "blind split (3 utterances)" in printed and "next_steps" in printed
    assert not any(x["text"] in printed or x["text"].lower() in printed for x in LINES)
    report = json.loads(out.read_text())["utterances"]
    assert set(report) == {"blind", "ms_per_utterance"}  # no errors kept, no other split
    assert report["blind"]["intents"]["next_steps"]["tp"] == 1


def test_a_missing_blind_file_is_said_plainly(tmp_path, monkeypatch, capsys):
    accuracy = _module("accuracy")
    monkeypatch.setattr(accuracy, "BLIND", tmp_path / "absent.jsonl")
    monkeypatch.setattr(accuracy, "ROOT", tmp_path)
    assert accuracy.main(["--part", "utterances", "--split", "blind"]) == 2
    assert "absent.jsonl is absent" in capsys.readouterr().err


def test_cross_validation_folds_are_stable_and_cover_every_fold():
    intent_cv = _module("intent_cv")
    folds = [intent_cv.fold_of(f"u{i:04d}", 5) for i in range(1, 200)]
    assert set(folds) == set(range(5))
    assert folds == [intent_cv.fold_of(f"u{i:04d}", 5) for i in range(1, 200)]
