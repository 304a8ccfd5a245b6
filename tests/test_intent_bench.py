"""bench/accuracy.py's blind splits (blind2 figures only, never its lines; blind is tuning data), and
bench/intent_cv.py's folds."""

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


def _write(path: Path, split: str) -> Path:
    path.write_text("".join(json.dumps({**x, "split": split, "noise": False}) + "\n" for x in LINES))
    return path


def test_the_blind2_split_prints_figures_and_never_its_lines(tmp_path, monkeypatch, capsys):
    accuracy = _module("accuracy")
    monkeypatch.setattr(accuracy, "BLIND2", _write(tmp_path / "blind2_utterances.jsonl", "blind2"))
    out = tmp_path / "figures.json"
    assert accuracy.main(["--part", "utterances", "--split", "blind2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "blind2 split (3 utterances)" in printed and "next_steps" in printed
    assert not any(x["text"] in printed or x["text"].lower() in printed for x in LINES)
    report = json.loads(out.read_text())["utterances"]
    assert set(report) == {"blind2", "ms_per_utterance"}  # no errors kept, no other split
    assert report["blind2"]["intents"]["next_steps"]["tp"] == 1


def test_blind2_refuses_to_list_errors(tmp_path, monkeypatch, capsys):
    accuracy = _module("accuracy")
    monkeypatch.setattr(accuracy, "BLIND2", _write(tmp_path / "blind2_utterances.jsonl", "blind2"))
    assert accuracy.main(["--part", "utterances", "--split", "blind2", "--errors"]) == 2
    captured = capsys.readouterr()
    assert "measure-only" in captured.err
    assert not any(x["text"].lower() in (captured.out + captured.err).lower() for x in LINES)


def test_the_blind_split_is_tuning_data_and_lists_its_errors(tmp_path, monkeypatch, capsys):
    accuracy = _module("accuracy")
    wrong = {"id": "b4", "speaker": "handler", "text": "Officers are on their way to you now.", "intents": []}
    path = _write(tmp_path / "blind_utterances.jsonl", "blind")
    path.write_text(path.read_text() + json.dumps({**wrong, "split": "blind", "noise": False}) + "\n")
    monkeypatch.setattr(accuracy, "BLIND", path)
    out = tmp_path / "figures.json"
    assert accuracy.main(["--part", "utterances", "--split", "blind", "--errors", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "blind FP next_steps: Officers are on their way to you now." in printed
    report = json.loads(out.read_text())["utterances"]
    assert report["blind_errors"]["next_steps"] == [["FP", wrong["text"]]]


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
