"""Issue 16 items 2 and 3: the nightly batch's fixed cost, its progress, and two workers.

Behaviour, not timings (the machine is shared): a night with nothing to do is closed without
Prefect and still recorded; the progress numbers follow audio seconds, not calls, and move while
one long call runs; with two real worker processes (one killed part-way) every call is stored
exactly once; and a run with work is one Prefect task, not one per call.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from callqa.batch.progress import IN_FLIGHT_CAP, AudioProgress, PlainLines, RichBar, progress_display
from tests.conftest import SAMPLES
from tests.test_morning_report import MANIFEST, Spec, result_for, utc

CALLS = ["good_999", "mate", "no_greeting", "good_101"]


def write_export(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST)
        writer.writeheader()
        for name in names:
            shutil.copy(SAMPLES / f"{name}.wav", folder / f"{name}.wav")
            writer.writerow({"call_id": name, "audio": f"{name}.wav", "started_at": "2026-11-25T21:14:00+00:00",
                             "call_type": "101", "area": "Stafford", "handler_id": "H1",
                             "channels": "stereo-handler-left", "answer_delay_s": "20", "training": "false"})
    return folder


def query(db: str, sql: str) -> list[tuple]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


# ---- a night with nothing to do -----------------------------------------------------------------

WATCH = ("import sys, time\nfrom callqa.cli import main\nstart = time.monotonic()\nrc = main(sys.argv[1:])\n"
         "print('RC', rc, 'PREFECT', 'prefect' in sys.modules, 'FLOWS', 'callqa.flows' in sys.modules, "
         "'SECONDS', round(time.monotonic() - start, 2), file=sys.stderr)\n")


def test_a_night_with_nothing_to_do_starts_no_prefect_and_is_recorded(tmp_path):
    """Every call already scored with these engine, model and rules: `callqa run` in a fresh
    process never imports Prefect (so starts no server), records a finished run with the calls
    skipped, writes the morning report and says what it did at each stage."""
    from callqa.batch import load_settings
    from callqa.batch.digests import audio_digests
    from callqa.recorder_export import read_export
    from callqa.store import Store

    export = write_export(tmp_path / "export", CALLS[:2])
    settings = load_settings(None)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(db)
    listing = read_export(str(export))
    store.upsert_calls(listing.calls, None)
    digests = audio_digests(listing.calls)
    for call in listing.calls:
        store.save_analysis(result_for(Spec(call.call_id, utc(2026, 11, 25, 21, 14)), settings.engine,
                                       settings.model, settings.rules.version), digests[call.call_id], None)
    store.engine.dispose()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run([sys.executable, "-c", WATCH, "run", str(export), "--db", db, "--workers", "2",
                           "--report-dir", str(tmp_path / "reports")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "RC 0 PREFECT False FLOWS False" in done.stderr, done.stderr[-3000:]
    assert not (tmp_path / "prefect").exists()          # no Prefect home, so no server database either
    for stage in ("reading the export", "hashing 2 files", "planning against the store",
                  "closing the run without Prefect"):
        assert stage in done.stderr, (stage, done.stderr)
    assert "starting Prefect" not in done.stderr and "worker process" not in done.stderr
    assert "2 already done, 0 failed" in done.stderr
    ((run_id, status),) = query(db, "SELECT id, status FROM runs")
    assert status == "finished"
    assert (tmp_path / "reports" / f"run-{run_id}.md").exists()
    assert query(db, "SELECT count(*) FROM audit_log WHERE action = 'morning_report'") == [(1,)]
    assert query(db, "SELECT count(*) FROM transcriptions") == [(2,)]


# ---- progress in audio seconds ------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_progress_follows_audio_seconds_and_moves_during_a_long_call():
    clock = Clock()
    progress = AudioProgress({"long": 600.0, "short": 60.0}, workers=1, clock=clock, first_guess_speed=10.0)
    assert progress.state().done_s == 0 and progress.state().eta_s is None
    progress.started("long")
    seen = []
    for _ in range(5):
        clock.now += 10
        seen.append(progress.state().done_s)
    assert seen == [100.0, 200.0, 300.0, 400.0, 500.0]    # 10 s at 10x: the bar moves within the call
    clock.now += 100
    assert progress.state().done_s == pytest.approx(IN_FLIGHT_CAP * 600)   # capped until the call is back
    progress.finished("long", 600.0)                        # it took 150 s: 4x, not the guessed 10x
    assert progress.speed() == pytest.approx(4.0)
    state = progress.state()
    assert (state.done_s, state.calls_done, state.total_s) == (600.0, 1, 660.0)
    assert state.fraction == pytest.approx(600 / 660)        # by calls it would say 50%
    assert state.eta_s == pytest.approx(60 / (600 / 150))     # what is left at the rate so far
    progress.started("short")
    clock.now += 5
    assert progress.state().done_s == pytest.approx(620.0)   # 5 s at the measured 4x
    progress.finished("short", 55.0)                         # decoded shorter than the header said
    final = progress.state()
    assert (final.done_s, final.fraction, final.eta_s, final.calls_done) == (660.0, 1.0, 0.0, 2)


def test_progress_never_goes_back():
    clock = Clock()
    progress = AudioProgress({"a": 100.0, "b": 100.0}, workers=2, clock=clock, first_guess_speed=50.0)
    progress.started("a")
    progress.started("b")
    clock.now += 1.8
    before = progress.state().done_s          # 2 x 90 s credited at the guessed speed
    progress.finished("a", 100.0)             # 100 s in 1.8 s: the speed drops a little ...
    clock.now += 0.1
    assert progress.state().done_s >= before  # ... and the bar holds rather than going back


def test_plain_lines_off_a_terminal_and_a_bar_on_one():
    clock = Clock()
    stream = io.StringIO()
    lines = PlainLines(stream, every_s=10.0, quiet_s=60.0, clock=clock)
    progress = AudioProgress({"a": 120.0, "b": 60.0}, workers=1, clock=clock, first_guess_speed=1.0)
    progress.started("a")
    for _ in range(3):  # the first line, then none while nothing finishes (a log does not fill up)
        clock.now += 4
        lines.update(progress.state())
    clock.now += 4
    progress.finished("a", 120.0)
    lines.update(progress.state())                 # a call finished, 12 s after the last line
    progress.started("b")
    clock.now += 1
    progress.finished("b", 60.0)
    lines.update(progress.state())                 # within 10 s of the last line: held back
    lines.close(progress.state())                  # ... but the last one is always written
    written = stream.getvalue().splitlines()
    assert len(written) == 3, written
    assert written[0] == "analysing: 0.1 min of 3.0 min of audio (2%), 0/2 calls, elapsed 0:04, ETA 2:56"
    assert written[1].startswith("analysing: 2.0 min of 3.0 min of audio (67%), 1/2 calls, elapsed 0:16")
    assert "3.0 min of 3.0 min of audio (100%), 2/2 calls" in written[2] and "ETA 0:00" in written[2]
    quiet = io.StringIO()
    long_call = PlainLines(quiet, every_s=10.0, quiet_s=60.0, clock=clock)
    progress = AudioProgress({"long": 3600.0}, workers=1, clock=clock, first_guess_speed=5.0)
    progress.started("long")
    for _ in range(13):   # a 1-hour call: a line at the start and one a minute, never frozen
        long_call.update(progress.state())
        clock.now += 10
    assert [line.split(",")[0] for line in quiet.getvalue().splitlines()] == [
        "analysing: 0.0 min of 1.00 h of audio (0%)", "analysing: 5.0 min of 1.00 h of audio (8%)",
        "analysing: 10.0 min of 1.00 h of audio (17%)"]
    assert isinstance(progress_display(180.0, io.StringIO()), PlainLines)   # not a terminal

    terminal = io.StringIO()
    bar = progress_display(180.0, terminal, force_bar=True)
    assert isinstance(bar, RichBar)
    bar.close(progress.state())
    drawn = terminal.getvalue()
    assert "\x1b[" in drawn and "10.8 min / 1.00 h audio" in drawn and "0/1 calls" in drawn and "ETA 9:50" in drawn


# ---- two real workers, one killed part-way --------------------------------------------------------

def test_two_workers_lose_no_call_when_one_dies(tmp_path):
    """Four calls in two real worker processes; one worker is killed while it works. The pool is
    restarted, the calls it held are tried again, and every call is stored exactly once."""
    from callqa.batch import load_settings
    from callqa.batch.analysis import analyze_calls, expected_seconds
    from callqa.batch.digests import audio_digests
    from callqa.batch.workers import AnalysisPool
    from callqa.recorder_export import read_export
    from callqa.store import Store

    export = write_export(tmp_path / "export", CALLS)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(db)
    listing = read_export(str(export))
    store.upsert_calls(listing.calls, None)
    run_id = store.start_run(str(export), "manifest", "faster-whisper", "tiny.en", "r", 2)
    settings = load_settings(None)
    restarts: list[str] = []
    with AnalysisPool(2, settings.config) as pool:
        killed: list[int] = []

        def kill_one_busy_worker() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                if query(db, "SELECT count(*) FROM transcriptions")[0][0] >= 1:
                    pid = next(iter(pool._executor._processes))   # a worker, busy with the next call
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_one_busy_worker)
        killer.start()
        outcomes = analyze_calls(pool, store, listing.calls, audio_digests(listing.calls), run_id,
                                 expected_seconds(listing.calls), on_restart=restarts.append)
        killer.join()
    assert killed and restarts, "a worker was killed and the pool restarted"
    assert [o.call_id for o in outcomes] == CALLS                    # outcomes in the export's order
    assert [o.status for o in outcomes] == ["analysed"] * len(CALLS), outcomes
    assert query(db, "SELECT count(*), count(DISTINCT call_id) FROM transcriptions") == [(4, 4)]
    assert query(db, "SELECT count(*), count(DISTINCT call_id) FROM scorings") == [(4, 4)]
    assert query(db, "SELECT count(*) FROM errors") == [(0,)]
    workers = {w for (w,) in query(db, "SELECT worker FROM transcriptions")}
    assert len(workers) >= 2                                          # both processes (and a new one) worked
    store.engine.dispose()


def test_expected_lengths_come_from_the_headers(tmp_path):
    """What the bar and the longest-first order go by, before any call is decoded."""
    from callqa.batch.analysis import expected_seconds
    from callqa.recorder_export import read_export

    listing = read_export(str(write_export(tmp_path / "export", CALLS)))
    expected = expected_seconds(listing.calls)
    import soundfile as sf

    assert expected == pytest.approx({c: sf.info(str(SAMPLES / f"{c}.wav")).duration for c in CALLS})


# ---- a night with work: one Prefect task -------------------------------------------------------

def test_a_night_with_work_is_one_prefect_task_not_one_per_call(prefect_harness, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from callqa.batch import load_settings
    from callqa.batch.prepare import prepare_night
    from callqa.flows.nightly import run_prepared_flow
    from callqa.report_settings import ReportSettings
    from callqa.store import Store

    export = write_export(tmp_path / "export", CALLS[:3])
    db = f"sqlite:///{tmp_path / 'store.db'}"
    said: list[str] = []
    work: list[bool] = []
    prepared = prepare_night(Store(db), str(export), None, load_settings(None), 2, say=said.append,
                             on_work=lambda: work.append(True))
    assert work == [True] and prepared.pool is not None and prepared.pool.workers == 2  # started before Prefect
    assert any("hashing 3 files" in s for s in said) and any("3 to analyse" in s for s in said)
    summary = run_prepared_flow(prepared, None, ReportSettings())
    assert summary["counts"]["analysed"] == 3 and prepared.pool is None
    with get_client(sync_client=True) as client:
        [flow_run] = [r for r in client.read_flow_runs() if r.name == f"callqa-run-{summary['run_id']}"]
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])))
    assert flow_run.parameters["run_id"] == summary["run_id"] and flow_run.parameters["to_analyse"] == 3
    assert [t.name.split("-")[:2] for t in tasks] == [["analyze", "calls"]]
    assert query(db, "SELECT count(*), count(DISTINCT call_id) FROM scorings") == [(3, 3)]
