"""The nightly batch end to end on a real Prefect server, real speech model and real SQLite store."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from callqa.pipeline.rules import INDICATORS
from tests.conftest import ROOT, SAMPLES

FIELDS = ["call_id", "audio", "started_at", "call_type", "area", "handler_id", "channels", "answer_delay_s",
          "training"]


def make_export(folder: Path, rows: list[dict], files: dict[str, bytes | Path] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        target = folder / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_bytes(content)
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"started_at": "2026-11-25T20:00:00+00:00", "call_type": "101", "area": "Stafford",
                             "handler_id": "H1", "channels": "stereo-handler-left", "answer_delay_s": "30",
                             "training": "false", **row})
    return folder


def query(db: str, sql: str) -> list[tuple]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def sample_run(prefect_harness, tmp_path_factory):
    """The committed sample export through the nightly flow once, with two worker processes."""
    from callqa.flows.nightly import nightly

    tmp = tmp_path_factory.mktemp("sample-run")
    db = f"sqlite:///{tmp / 'store.db'}"
    summary = nightly(export_dir=str(SAMPLES), db=db, workers=2, report_dir=str(tmp / "reports"))
    return db, summary, tmp


def sample_expectations() -> tuple[list[dict], dict[str, dict], list[str]]:
    """Manifest rows, ground truth per scored call, and which calls the truth says get flagged."""
    import json

    from callqa.pipeline.rules import load_rule_pack

    rows = list(csv.DictReader(open(SAMPLES / "manifest.csv")))
    truths = {r["call_id"]: json.loads((SAMPLES / f"{Path(r['audio']).stem}.truth.json").read_text())
              for r in rows if r["training"] == "false"}
    counted = load_rule_pack().section("scoring")["flag_indicators"]
    flagged = sorted(c for c, t in truths.items() if any(t["expected"][i] == "fail" for i in counted))
    return rows, truths, flagged


def test_sample_export_runs_once_and_second_run_analyses_nothing(sample_run):
    from callqa.flows.nightly import nightly

    db, first, tmp = sample_run
    rows, truths, flagged = sample_expectations()
    c = first["counts"]
    assert (c["calls"], c["analysed"], c["training"], c["failed"], c["flagged"]) == (
        len(rows), len(truths), len(rows) - len(truths), 0, len(flagged))
    assert first["flagged_calls"] == flagged
    assert first["audio_s"] > 200 and first["realtime_factor"] > 1
    assert first["answer_time"]["999"]["calls"] >= 1
    report = (tmp / "reports" / f"run-{first['run_id']}.md").read_text()
    assert f"| {len(rows)} | {len(truths)} | 0 | 0 | 0 | {len(rows) - len(truths)} | {len(flagged)} | 0 |" in report
    assert "999 calls answered within 10 s" in report
    # the training call is stored but never scored
    assert query(db, "SELECT training FROM calls WHERE call_id = 'training_good_101'") == [(1,)]
    assert query(db, "SELECT count(*) FROM transcriptions WHERE call_id = 'training_good_101'") == [(0,)]
    # statuses in the store are the sample calls' ground truth, metadata-based answer_time included
    statuses = dict(query(db, "SELECT call_id || '/' || indicator, status FROM indicator_results"))
    assert statuses == {f"{c}/{k}": v for c, t in truths.items() for k, v in t["expected"].items()}
    priorities = dict(query(db, "SELECT call_id, review_priority FROM scorings"))
    assert priorities == {c: t["review_priority"] for c, t in truths.items()}
    assert len({w for (w,) in query(db, "SELECT worker FROM transcriptions")}) == 2  # two worker processes

    second = nightly(export_dir=str(SAMPLES), db=db, workers=2, report_dir=None)
    assert (second["counts"]["analysed"], second["counts"]["skipped"]) == (0, len(truths))
    assert query(db, "SELECT count(*) FROM transcriptions") == [(len(truths),)]
    assert query(db, "SELECT status FROM runs ORDER BY id") == [("finished",), ("finished",)]


def test_flags_status_and_exports(sample_run, capsys, tmp_path):
    import json

    from callqa.cli import main

    db = sample_run[0]
    rows, truths, flagged = sample_expectations()
    assert main(["flags", "--db", db, "--json"]) == 0
    listed = {c["call_id"]: c for c in json.loads(capsys.readouterr().out)}
    assert sorted(listed) == flagged
    silence = listed["unexplained_silence"]
    assert (silence["area"], silence["handler_id"], silence["call_type"]) == ("Cannock", "H1042", "101")
    [flag] = [f for f in silence["flags"] if f["indicator"] == "unexplained_silence"]
    assert flag["severity"] == "high" and flag["evidence_s"][0][1] - flag["evidence_s"][0][0] > 10

    def listed_calls(out: str) -> set[str]:
        return {line.split()[0] for line in out.splitlines()
                if line and not line.startswith(" ") and not line.startswith("Needs review")}

    assert main(["flags", "--db", db, "--area", "Cannock"]) == 0
    assert listed_calls(capsys.readouterr().out) == {r["call_id"] for r in rows
                                                    if r["area"] == "Cannock" and r["call_id"] in flagged}
    assert main(["flags", "--db", db, "--handler", "H3307", "--since", "2026-11-25T20:00"]) == 0
    assert listed_calls(capsys.readouterr().out) == {
        r["call_id"] for r in rows if r["handler_id"] == "H3307" and r["started_at"] >= "2026-11-25T20:00"
        and r["call_id"] in flagged}
    assert main(["flags", "--db", db, "--since", "yesterday"]) == 2
    assert "not a date" in capsys.readouterr().err
    assert main(["status", "--db", db]) == 0
    assert "finished" in capsys.readouterr().out

    # exports: the indicator table as CSV, a stored call's transcript as WebVTT
    table = tmp_path / "table.csv"
    assert main(["export", "csv", "--db", db, "-o", str(table)]) == 0
    parsed = {r["call_id"]: r for r in csv.DictReader(open(table))}
    assert set(parsed) == set(truths)
    assert all(parsed[c][k] == v for c, t in truths.items() for k, v in t["expected"].items())
    assert main(["export", "vtt", "mate", "--db", db]) == 0
    vtt = capsys.readouterr().out
    assert vtt.startswith("WEBVTT") and "<v Handler>" in vtt and "<v Caller>" in vtt and "mate" in vtt.lower()
    assert main(["export", "vtt", "no-such-call", "--db", db]) == 2


def test_bad_files_and_rows_are_recorded_and_the_rest_stored(prefect_harness, tmp_path):
    from callqa.flows.nightly import nightly

    good = (SAMPLES / "mate.wav").read_bytes()
    export = make_export(tmp_path / "export", [
        {"call_id": "ok-1", "audio": "ok1.wav"},
        {"call_id": "cut", "audio": "cut.wav"},
        {"call_id": "empty", "audio": "empty.wav"},
        {"call_id": "text", "audio": "notes.wav"},
        {"call_id": "ok-2", "audio": "ok2.wav", "call_type": "999"},
        {"call_id": "gone", "audio": "missing.wav"},
        {"call_id": "escape", "audio": "../outside.wav"},
        {"call_id": "layout", "audio": "ok1.wav", "channels": "quad"},
        {"call_id": "date", "audio": "ok1.wav", "started_at": "25/11/2026 21:14"},
        {"call_id": "ok-1", "audio": "ok2.wav"},
    ], {"ok1.wav": SAMPLES / "mate.wav", "ok2.wav": SAMPLES / "good_999.wav", "cut.wav": good[: len(good) // 3],
        "empty.wav": b"", "notes.wav": b"call notes: not audio\n"})
    (tmp_path / "outside.wav").write_bytes(good)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    summary = nightly(export_dir=str(export), db=db, workers=1, report_dir=None)
    c = summary["counts"]
    assert (c["analysed"], c["failed"], c["export_errors"]) == (2, 3, 5)
    assert query(db, "SELECT call_id FROM transcriptions ORDER BY call_id") == [("ok-1",), ("ok-2",)]
    errors = query(db, "SELECT stage, source, coalesce(call_id, ''), message FROM errors ORDER BY id")
    by_call = {call_id: (stage, source, message) for stage, source, call_id, message in errors}
    assert by_call["cut"][0] == "audio" and "truncated" in by_call["cut"][2] and "cut.wav" in by_call["cut"][2]
    assert by_call["empty"][0] == "audio" and "empty" in by_call["empty"][2]
    assert by_call["text"][0] == "audio" and "not an audio file" in by_call["text"][2]
    export_rows = {source: message for stage, source, _, message in errors if stage == "export"}
    assert set(export_rows) == {"manifest.csv row 7", "manifest.csv row 8", "manifest.csv row 9",
                                "manifest.csv row 10", "manifest.csv row 11"}
    assert "not found" in export_rows["manifest.csv row 7"]
    assert "escapes the export folder" in export_rows["manifest.csv row 8"]
    assert "quad" in export_rows["manifest.csv row 9"]
    assert "ISO 8601" in export_rows["manifest.csv row 10"]
    assert "duplicate" in export_rows["manifest.csv row 11"]
    assert len(summary["errors"]) == 8


def _wait_for(db_path: Path, sql: str, minimum: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db_path.exists():
            try:
                if query(f"sqlite:///{db_path}", sql)[0][0] >= minimum:
                    return
            except Exception:  # tables not created yet
                pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {sql} >= {minimum}")


def test_batch_killed_part_way_finishes_on_rerun_with_no_duplicates(tmp_path):
    names = ["good_101", "good_999", "no_greeting", "unexplained_silence", "explained_silence", "mate",
             "no_next_steps"]
    export = make_export(tmp_path / "export", [{"call_id": n, "audio": f"{n}.wav"} for n in names],
                         {f"{n}.wav": SAMPLES / f"{n}.wav" for n in names})
    db_path = tmp_path / "store.db"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}
    env.pop("PREFECT_API_URL", None)
    callqa = str(Path(sys.executable).with_name("callqa"))
    args = [callqa, "run", str(export), "--db", f"sqlite:///{db_path}", "--workers", "1", "--report-dir", ""]
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(db_path, "SELECT count(*) FROM scorings", 2, timeout=180)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes, mid-run
        proc.wait()
    stored = query(f"sqlite:///{db_path}", "SELECT count(*) FROM transcriptions")[0][0]
    assert 2 <= stored < len(names), "kill the batch part-way"
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    db = f"sqlite:///{db_path}"
    assert query(db, "SELECT count(*), count(DISTINCT call_id) FROM transcriptions") == [(7, 7)]
    assert query(db, "SELECT count(*), count(DISTINCT call_id) FROM scorings") == [(7, 7)]
    # no half-written result: every scoring has all four indicators
    assert query(db, "SELECT count(*) FROM indicator_results") == [(7 * len(INDICATORS),)]
    assert query(db, "SELECT status FROM runs ORDER BY id") == [("interrupted",), ("finished",)]
    assert f"{len(names) - stored} analysed" in done.stderr


def changed_rules(tmp_path: Path) -> Path:
    """A QA lead's edit: 'mate' is no longer informal; 5 interruptions, not 2, fail listening;
    999 calls get 20 s to be answered."""
    pack = (ROOT / "models" / "rules" / "staffordshire.toml").read_text()
    pack = re.sub(r'^version = ".*"$', 'version = "staffordshire-qa-edit.1"', pack, count=1, flags=re.M)
    pack = pack.replace('  "mate", "love",', '  "love",')
    pack = pack.replace("fail_interruptions = 2", "fail_interruptions = 5")
    pack = pack.replace("target_999_s = 10.0", "target_999_s = 20.0")
    path = tmp_path / "rules.toml"
    path.write_text(pack)
    return path


def test_rules_change_rescores_without_speech_to_text(prefect_harness, tmp_path):
    from callqa.flows.nightly import nightly

    export = make_export(tmp_path / "export", [
        {"call_id": "mate", "audio": "mate.wav"},
        {"call_id": "talkover", "audio": "i.wav", "call_type": "999", "answer_delay_s": "14"}],
        {"mate.wav": SAMPLES / "mate.wav", "i.wav": SAMPLES / "interruptions.wav"})
    db = f"sqlite:///{tmp_path / 'store.db'}"
    nightly(export_dir=str(export), db=db, report_dir=None)
    rules = changed_rules(tmp_path)
    # 1. `callqa rescore` in a process that must never load the speech engine
    code = ("import sys; from callqa.cli import main; rc = main(['rescore', '--db', sys.argv[1], '--rules', "
            "sys.argv[2]]); assert 'ctranslate2' not in sys.modules and 'faster_whisper' not in sys.modules, "
            "'speech engine loaded'; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, db, str(rules)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "re-scored 2 call(s) with rules staffordshire-qa-edit.1" in done.stderr
    assert query(db, "SELECT count(*) FROM transcriptions") == [(2,)]
    def history(call_id: str, indicator: str) -> list[str]:
        return [status for (status,) in query(db, f"""SELECT i.status FROM indicator_results i
            JOIN scorings s ON s.id = i.scoring_id WHERE s.call_id = '{call_id}' AND i.indicator = '{indicator}'
            ORDER BY s.id""")]

    assert history("mate", "informal_language") == ["fail", "pass"]
    assert history("talkover", "listening") == ["fail", "pass"]      # a new indicator's threshold
    assert history("talkover", "answer_time") == ["fail", "pass"]    # scored from the stored call's metadata
    scores = [score for (score,) in query(db, "SELECT score FROM scorings WHERE call_id = 'talkover' ORDER BY id")]
    assert scores[1] > scores[0]
    # 2. the nightly flow with a changed pack plans a re-score, not an analysis
    config = tmp_path / "callqa.toml"
    config.write_text(f'rules = "{rules.with_name("rules2.toml")}"\n')
    rules.with_name("rules2.toml").write_text(rules.read_text().replace("qa-edit.1", "qa-edit.2"))
    summary = nightly(export_dir=str(export), db=db, config_path=str(config), report_dir=None)
    assert (summary["counts"]["rescored"], summary["counts"]["analysed"]) == (2, 0)
    assert query(db, "SELECT count(*) FROM transcriptions") == [(2,)]
    assert query(db, "SELECT count(*) FROM scorings") == [(6,)]


def test_stereo_calls_enrol_a_voiceprint_that_a_later_mono_call_uses(prefect_harness, tmp_path):
    """Night 1: two stereo calls of one handler enrol their voice. Night 2: a mono call of the
    same handler is attributed by that voiceprint, and the result says so."""
    import json

    import soundfile as sf

    from bench.diarize_sources import UNSEEN, call_mix
    from callqa.flows.nightly import nightly

    by_voice: dict[str, list[Path]] = {}
    for truth in sorted(UNSEEN.glob("*.truth.json")):
        by_voice.setdefault(json.loads(truth.read_text())["voices"]["handler"].split(":")[0], []).append(
            truth.with_name(truth.name.replace(".truth.json", ".wav")))
    calls = next(paths for paths in by_voice.values() if len(paths) >= 3)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    night1 = make_export(tmp_path / "night1", [{"call_id": p.stem, "audio": p.name, "handler_id": "H9"}
                                               for p in calls[:2]], {p.name: p for p in calls[:2]})
    nightly(export_dir=str(night1), db=db, workers=1, report_dir=str(tmp_path / "reports"))
    assert query(db, "SELECT handler_id, count(*) FROM voice_samples GROUP BY handler_id") == [("H9", 2)]
    mixed, _ = call_mix(calls[2])
    sf.write(tmp_path / "mono.wav", mixed, 16000)
    night2 = make_export(tmp_path / "night2", [{"call_id": "mono-1", "audio": "mono.wav", "handler_id": "H9",
                                                "channels": "mono"}], {"mono.wav": tmp_path / "mono.wav"})
    nightly(export_dir=str(night2), db=db, workers=1, report_dir=str(tmp_path / "reports"))
    (attribution,) = query(db, "SELECT attribution FROM transcriptions WHERE call_id = 'mono-1'")[0]
    attribution = json.loads(attribution) if isinstance(attribution, str) else attribution
    assert attribution["decided_by"] == "voiceprint", attribution
    assert attribution["voiceprint_similarity"][0] > attribution["voiceprint_similarity"][1]
    # a mono call gives no voice sample: it cannot say whose voice is whose by itself
    assert query(db, "SELECT count(*) FROM voice_samples WHERE call_id = 'mono-1'") == [(0,)]


def test_a_rejected_export_is_recorded_as_a_failed_run(prefect_harness, tmp_path, capsys):
    """An export missing a column is refused as a whole, and the night shows as failed."""
    from callqa.flows.nightly import nightly
    from callqa.cli import main
    from callqa.recorder_export import ExportError

    folder = tmp_path / "night"
    folder.mkdir()
    (folder / "manifest.csv").write_text("call_id,audio\nC1,a.wav\n")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(ExportError, match="missing required column"):
        nightly(export_dir=str(folder), db=db, report_dir=None)
    ((status, summary),) = query(db, "SELECT status, summary FROM runs")
    assert status == "failed" and "missing required column" in summary
    ((stage, message),) = query(db, "SELECT stage, message FROM errors")
    assert stage == "export" and "missing required column" in message
    assert main(["status", "--db", db]) == 0
    assert "failed" in capsys.readouterr().out
