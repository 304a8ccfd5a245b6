"""bench/bench_speed.py: which calls it runs, how it totals them, and one real interleaved run.

No timing is asserted (the machine is shared); what is checked is that every contender did the
same work on the same calls, pinned to one core, and that the totals and targets follow from
the runs.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import bench_speed  # noqa: E402
from bench_speed import Run, choose_calls, summarise  # noqa: E402


def test_an_absent_real_folder_skips_the_whole_set_with_a_clear_note(tmp_path):
    calls, notes = choose_calls(["real"], None, real=tmp_path / "nowhere")
    assert calls == []
    assert notes == [f"real recordings: all skipped, {tmp_path / 'nowhere'} is absent "
                     "(it sits beside the checkout as ../shared)"]


def test_unreadable_recordings_are_skipped_by_name_and_limit_counts_readable_ones(tmp_path):
    (tmp_path / "telephone").mkdir()
    (tmp_path / "conversations").mkdir()
    (tmp_path / "telephone" / "a.amr_nb").write_bytes(b"#!AMR\n" + bytes(200))
    for name in ("one.wav", "two.wav"):
        sf.write(str(tmp_path / "conversations" / name), np.zeros(16000 * 2, dtype=np.float32), 16000)
    sf.write(str(tmp_path / "jfk.flac"), np.zeros((44100, 2), dtype=np.float32), 44100)

    calls, notes = choose_calls(["real"], 2, real=tmp_path)

    assert [(c.name, c.audio_s) for c in calls] == [("jfk.flac", 1.0), ("conversations/one.wav", 2.0)]
    assert len(notes) == 1 and notes[0].startswith("real recordings: skipped telephone/a.amr_nb: soundfile cannot")


def test_sample_set_is_both_sample_folders():
    calls, notes = choose_calls(["sample"], None)
    names = [c.name for c in calls]
    assert notes == []
    assert "good_101.wav" in names and any(n.startswith("unseen/") for n in names)
    assert all(c.audio_s > 1 for c in calls)


def _run(contender, call, wall, words=10, rep=0, error=None, audio_s=60.0):
    return Run(contender, "sample", call, audio_s, rep, None if error else wall, None if error else words, error)


def test_totals_take_each_calls_median_and_leave_out_calls_anyone_failed():
    runs = [
        *[_run("callqa", "a", w, rep=i) for i, w in enumerate((1.0, 2.0, 9.0))],       # median 2
        *[_run("fw-default", "a", w, rep=i) for i, w in enumerate((4.0, 5.0, 4.5))],   # median 4.5
        *[_run("openai-whisper", "a", w, rep=i) for i, w in enumerate((30.0,) * 3)],
        _run("callqa", "b", 1.0), _run("fw-default", "b", 1.0, error="AudioError: bad"),
        _run("openai-whisper", "b", 1.0),
    ]
    summary = summarise("sample calls", runs, ["callqa", "fw-default", "openai-whisper"])

    assert (summary.calls, summary.audio_s) == (1, 60.0)
    assert summary.wall_s == {"callqa": 2.0, "fw-default": 4.5, "openai-whisper": 30.0}
    assert summary.rtf["callqa"] == 30.0
    assert summary.speed_up == {"fw-default": 2.25, "openai-whisper": 15.0}
    assert [(t.target, t.met) for t in summary.targets] == [(30.0, True), (1.9, True), (10.0, True)]
    assert summary.left_out == ["b: fw-default: AudioError: bad"]


def test_a_missing_contender_leaves_its_target_unjudged():
    summary = summarise("s", [_run("callqa", "a", 4.0), _run("fw-default", "a", 6.0)], ["callqa", "fw-default"])
    assert [(t.what, t.met) for t in summary.targets] == [
        ("callqa >= 30x real time", False), ("callqa >= 1.9x faster-whisper, defaults", False),
        ("callqa >= 10x openai-whisper, same weights", None)]


@pytest.mark.parametrize("argv", [["--sets", "sample,nope"], ["--contenders", "whisper.cpp"], ["--limit", "0"]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        bench_speed.parse_args(argv)
    assert "error" in capsys.readouterr().err


def test_one_interleaved_run_on_one_core(tmp_path, capsys):
    """Real workers, real models, one sample call: both contenders pinned, warmed, and doing work."""
    out = tmp_path / "speed.json"
    code = bench_speed.main(["--sets", "sample", "--limit", "1", "--contenders", "callqa,fw-default",
                             "--json", str(out)])
    printed = capsys.readouterr().out
    data = json.loads(out.read_text())

    assert code == 0
    core = data["options"]["core"]
    assert [(s["contender"], s["cores"]) for s in data["startup"]] == [("callqa", [core]), ("fw-default", [core])]
    assert all(s["load_s"] > 0 and s["warmup_s"] > 0 for s in data["startup"])
    assert [(r["contender"], r["call"]) for r in data["runs"]] == [("callqa", "distressed_no_empathy.wav"),
                                                                    ("fw-default", "distressed_no_empathy.wav")]
    (summary,) = data["sets"]
    assert summary["calls"] == 1 and summary["words"]["callqa"] > 20 and summary["words"]["fw-default"] > 20
    assert summary["speed_up"]["fw-default"] == pytest.approx(summary["wall_s"]["fw-default"]
                                                              / summary["wall_s"]["callqa"])
    assert summary["callqa_stages"]["stt_s"] > 0
    assert data["started_at"][-6:] in ("+00:00", "+01:00")  # UK time, with its offset
    assert "== sample calls: 1 call(s)" in printed and "target callqa >= 1.9x faster-whisper, defaults" in printed
