"""The results store on a real SQLite file and a real PostgreSQL server: migrations, atomic and
exactly-once saves, planning, re-scoring, queries, runs, and concurrent writer processes.

Every test runs on both backends. PostgreSQL comes from a throwaway cluster (tests/pg.py); where
none can be started the PostgreSQL cases are skipped, unless CALLQA_REQUIRE_POSTGRES=1 (CI), which
makes that a failure.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from callqa.recorder_export import CallRecord
from callqa.rescore import rescore_store
from callqa.pipeline.rules import INDICATORS, load_rule_pack
from callqa.store import Store, schema
from tests.conftest import SAMPLES
from tests.pg import TempPostgres

BACKENDS = ["sqlite", "postgresql"]
SHA_A = "a" * 64
SHA_B = "b" * 64
UTC = timezone.utc
BST = timezone(timedelta(hours=1))

# ---- fixtures -------------------------------------------------------------------------------


_databases = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """A URL for a new, empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'callqa.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"callqa_{os.getpid()}_{next(_databases)}"
    url = cluster.create_database(name)
    yield url
    cluster.drop_database(name)


@pytest.fixture
def open_store(db_url):
    """Store(db_url), as many as a test wants; their connection pools are closed afterwards."""
    stores: list[Store] = []

    def make(**kwargs: Any) -> Store:
        store = Store(db_url, **kwargs)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.engine.dispose()


@pytest.fixture
def store(open_store) -> Store:
    return open_store()


@pytest.fixture(scope="session")
def mate_result(analyzer) -> dict[str, Any]:
    """A real analysis (speech model and all) of the sample call with an informal-language flag."""
    result = analyzer.analyze(SAMPLES / "mate.wav").to_dict()
    assert result["flags"] and result["indicators"]["informal_language"]["status"] == "fail"
    assert len(result["indicators"]) == len(INDICATORS)
    return result


def as_call(result: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {**copy.deepcopy(result), "call_id": call_id}


def record(call_id: str, started_at: datetime | None = None, area: str = "Stafford", handler: str = "H1042",
           training: bool = False) -> CallRecord:
    return CallRecord(call_id=call_id, audio=SAMPLES / f"{call_id}.wav",
                      started_at=started_at or datetime(2026, 11, 25, 18, 0, tzinfo=UTC), call_type="101",
                      area=area, handler_id=handler, layout="stereo-handler-left", answer_delay_s=12.5,
                      training=training, source=f"manifest.csv row {call_id}", extra={"queue": "general"})


TABLES = ("transcriptions", "scorings", "indicator_results", "flags")


def counts(store: Store) -> dict[str, int]:
    return {table: store.count(table) for table in TABLES}


# ---- migrations -------------------------------------------------------------------------------


def migration_state(store: Store) -> tuple[str | None, list, list[str]]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        return context.get_current_revision(), compare_metadata(context, schema.metadata), versions


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from callqa.store.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrated_database_matches_schema(open_store):
    bare = open_store(migrate=False)
    from sqlalchemy import inspect

    assert inspect(bare.engine).get_table_names() == []  # migrate=False really leaves it alone

    store = open_store()
    revision, diff, versions = migration_state(store)
    assert diff == [], f"migrations and callqa/store/schema.py disagree: {diff}"
    assert revision == head_revision() and versions == [revision]
    run_id = store.start_run("/exports/night", "manifest", "faster-whisper", "tiny.en", "v1", 1)

    again = open_store()  # opening the store upgrades again: a no-op that keeps the data
    revision2, diff2, versions2 = migration_state(again)
    assert (revision2, diff2, versions2) == (revision, [], [revision])
    assert [r["id"] for r in again.runs()] == [run_id]


def test_postgres_url_without_driver_name_uses_psycopg(pg_cluster):
    url = pg_cluster.create_database("callqa_plain_url")
    store = Store(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert store.engine.dialect.driver == "psycopg"
        assert store.count("calls") == 0
        assert "psycopg" in store.safe_url
    finally:
        store.engine.dispose()
        pg_cluster.drop_database("callqa_plain_url")


# ---- saving a result ------------------------------------------------------------------------


def test_save_analysis_stores_whole_result_exactly_once(store, mate_result):
    store.upsert_calls([record("mate")], None)
    run_id = store.start_run("/exports/night", "manifest", "faster-whisper", "tiny.en", mate_result["rules_version"], 1)
    scoring_id = store.save_analysis(mate_result, SHA_A, run_id, worker="w1")
    assert isinstance(scoring_id, int)
    assert counts(store) == {"transcriptions": 1, "scorings": 1, "indicator_results": len(INDICATORS),
                             "flags": len(mate_result["flags"])}

    with store.engine.connect() as conn:
        tr = conn.execute(select(schema.transcriptions)).mappings().one()
        sc = conn.execute(select(schema.scorings)).mappings().one()
        indicators = conn.execute(select(schema.indicator_results)).mappings().all()
        flags = conn.execute(select(schema.flags)).mappings().all()
    assert (tr["call_id"], tr["audio_sha256"], tr["engine"], tr["model"], tr["worker"], tr["run_id"]) == (
        "mate", SHA_A, "faster-whisper", "tiny.en", "w1", run_id)
    assert tr["transcript"] == mate_result["transcript"] and tr["speech"] == mate_result["speech"]
    assert (sc["id"], sc["transcription_id"], sc["rules_version"], sc["flag_count"]) == (
        scoring_id, tr["id"], mate_result["rules_version"], len(mate_result["flags"]))
    assert {i["indicator"]: i["status"] for i in indicators} == {
        name: ind["status"] for name, ind in mate_result["indicators"].items()}
    assert all(i["scoring_id"] == scoring_id and i["call_id"] == "mate" for i in indicators)
    informal = [f for f in flags if f["indicator"] == "informal_language"]
    assert len(informal) == 1
    assert informal[0]["evidence_s"] == [[e["start_s"], e["end_s"]] for e in
                                         mate_result["indicators"]["informal_language"]["evidence"]]

    # The stored result reads back as the result JSON it came from (less the local file name).
    # The metadata comes from the stored call (the export), not from the analysis run.
    stored = store.call_result("mate")
    assert stored.pop("metadata") == {"call_type": "101", "answer_delay_s": 12.5}
    assert stored == {k: v for k, v in mate_result.items() if k not in ("source", "metadata")}
    assert store.transcription(tr["id"])["transcript"] == mate_result["transcript"]

    # Exactly once: the same call, audio, engine and model again adds nothing.
    assert store.save_analysis(mate_result, SHA_A, run_id, worker="w2") is None
    assert store.save_analysis(copy.deepcopy(mate_result), SHA_A, None) is None
    assert counts(store)["transcriptions"] == 1
    assert counts(store) == {"transcriptions": 1, "scorings": 1, "indicator_results": len(INDICATORS),
                             "flags": len(mate_result["flags"])}


def _missing_indicator_status(result: dict[str, Any]) -> None:
    del result["indicators"]["next_steps"]["status"]


def _missing_flag_reason(result: dict[str, Any]) -> None:  # fails after the indicator rows are written
    del result["flags"][0]["reason"]


def _null_status(result: dict[str, Any]) -> None:  # the database itself refuses the row (NOT NULL)
    result["indicators"]["next_steps"]["status"] = None


@pytest.mark.parametrize("damage", [_missing_indicator_status, _missing_flag_reason, _null_status])
def test_result_failing_half_way_leaves_no_rows(store, mate_result, damage):
    store.upsert_calls([record("mate")], None)
    broken = copy.deepcopy(mate_result)
    damage(broken)
    with pytest.raises(Exception) as raised:
        store.save_analysis(broken, SHA_A, None)
    assert not isinstance(raised.value, AssertionError)
    assert counts(store) == dict.fromkeys(TABLES, 0), "a half-written result was left behind"
    assert store.call_result("mate") is None
    # The store is still usable, and the good result then goes in whole.
    assert isinstance(store.save_analysis(mate_result, SHA_A, None), int)
    assert counts(store)["indicator_results"] == len(INDICATORS)


def test_save_for_unknown_call_raises_instead_of_claiming_stored(store, mate_result):
    """Only a duplicate counts as 'already stored'; any other rejection is an error."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        store.save_analysis(as_call(mate_result, "never_exported"), SHA_A, None)
    assert counts(store) == dict.fromkeys(TABLES, 0)


# ---- planning and re-scoring --------------------------------------------------------------


def test_plan_skip_rescore_analyse(store, mate_result):
    engine, model, rules = "faster-whisper", "tiny.en", mate_result["rules_version"]
    store.upsert_calls([record("mate")], None)
    [plan] = store.plan({"mate": SHA_A}, engine, model, rules)
    assert (plan.call_id, plan.action, plan.transcription_id) == ("mate", "analyse", None)

    store.save_analysis(mate_result, SHA_A, None)
    [transcription_id] = [r["id"] for r in store.pending_rescores("another-version")]
    [plan] = store.plan({"mate": SHA_A}, engine, model, rules)
    assert (plan.action, plan.transcription_id) == ("skip", transcription_id)

    [plan] = store.plan({"mate": SHA_A}, engine, model, "staffordshire-2027.01.1")  # only the rules changed
    assert (plan.action, plan.transcription_id) == ("rescore", transcription_id)

    [plan] = store.plan({"mate": SHA_B}, engine, model, rules)  # the recording changed
    assert (plan.action, plan.transcription_id) == ("analyse", None)
    assert store.plan({"mate": SHA_A}, engine, "base.en", rules)[0].action == "analyse"  # another model
    assert store.plan({"mate": SHA_A}, "openai-whisper", model, rules)[0].action == "analyse"
    assert store.plan({}, engine, model, rules) == []


def test_plan_for_a_large_export(store, mate_result):
    """Far more call ids than SQLite or PostgreSQL accept as parameters of one statement."""
    store.upsert_calls([record("mate")], None)
    store.save_analysis(mate_result, SHA_A, None)
    digests = {f"call_{i:05d}": SHA_A for i in range(70_000)}
    digests["mate"] = SHA_A
    plans = store.plan(digests, "faster-whisper", "tiny.en", mate_result["rules_version"])
    assert len(plans) == len(digests)
    assert [p for p in plans if p.action != "analyse"] == [p for p in plans if p.call_id == "mate"]
    assert next(p for p in plans if p.call_id == "mate").action == "skip"


def relaxed_rules():
    """The bundled pack with 'mate' no longer informal and only informal language flagged, as a new version."""
    rules = load_rule_pack()
    informal = dict(rules.data["informal_language"])
    informal["terms"] = [term for term in informal["terms"] if term != "mate"]
    scoring = {**rules.data["scoring"], "flag_indicators": ["informal_language"]}
    return dataclasses.replace(rules, version=rules.version + "-no-mate",
                               data={**rules.data, "informal_language": informal, "scoring": scoring})


def test_rescore_adds_scorings_and_current_result_follows(store, mate_result):
    store.upsert_calls([record("mate"), record("mate_training", training=True)], None)
    store.save_analysis(mate_result, SHA_A, None)
    store.save_analysis(as_call(mate_result, "mate_training"), SHA_A, None)
    assert {r["call_id"] for r in store.flagged()} == {"mate"}  # training calls are never listed
    with store.engine.connect() as conn:
        transcriptions_before = [dict(r) for r in conn.execute(
            select(schema.transcriptions).order_by(schema.transcriptions.c.id)).mappings()]
    before = counts(store)

    rules = relaxed_rules()
    assert [r["call_id"] for r in store.pending_rescores(rules.version)] == ["mate"]
    summary = rescore_store(store, rules, engine="faster-whisper", model="tiny.en")
    assert (summary.rules_version, summary.rescored, summary.flagged) == (rules.version, 1, 0)

    after = counts(store)
    assert after["scorings"] == before["scorings"] + 1
    assert after["indicator_results"] == before["indicator_results"] + len(INDICATORS)
    with store.engine.connect() as conn:
        transcriptions_after = [dict(r) for r in conn.execute(
            select(schema.transcriptions).order_by(schema.transcriptions.c.id)).mappings()]
        training_scorings = conn.execute(select(schema.scorings.c.rules_version).where(
            schema.scorings.c.call_id == "mate_training")).scalars().all()
    assert transcriptions_after == transcriptions_before, "re-scoring must not touch speech-to-text"
    assert training_scorings == [mate_result["rules_version"]], "training calls are never re-scored"

    current = store.call_result("mate")
    assert current["rules_version"] == rules.version
    assert current["indicators"]["informal_language"]["status"] == "pass"
    assert current["flags"] == []
    assert current["transcript"] == mate_result["transcript"]
    assert store.flagged() == []  # the current result has no flags any more
    assert store.call_result("mate_training")["rules_version"] == mate_result["rules_version"]

    # Nothing left to do for these rules; a nightly run with them skips the call.
    assert rescore_store(store, rules).rescored == 0
    assert store.plan({"mate": SHA_A}, "faster-whisper", "tiny.en", rules.version)[0].action == "skip"

    # Back to the bundled rules: a new scoring, and the flag is current again.
    back = rescore_store(store, dataclasses.replace(load_rule_pack(), version=rules.version + "-again"))
    assert (back.rescored, back.flagged) == (1, 1)
    assert [r["indicator"] for r in store.flagged()] == [f["indicator"] for f in mate_result["flags"]]
    assert "informal_language" in [r["indicator"] for r in store.flagged()]


def test_rescoring_in_batches_and_worker_processes_matches_one_process(store, mate_result, monkeypatch):
    """Batched reads and writes, and worker processes, give exactly the scorings one process gives."""
    import callqa.rescore as rescore

    ids = [f"c{i:02d}" for i in range(7)]
    store.upsert_calls([record(call_id) for call_id in ids], None)
    for call_id in ids:
        store.save_analysis(as_call(mate_result, call_id), SHA_A, None)

    def stored(version: str) -> dict[str, tuple]:
        out = {}
        for call_id in ids:
            result = store.call_result(call_id)
            assert result["rules_version"] == version
            out[call_id] = (result["score"], result["indicators"], result["flags"], result["silences"])
        return out

    rules = relaxed_rules()
    one = rescore_store(store, rules, batch=3)
    assert (one.rescored, one.flagged) == (7, 0)
    by_one = stored(rules.version)
    monkeypatch.setattr(rescore, "MIN_PER_WORKER", 1)   # workers even for seven calls
    again = dataclasses.replace(rules, version=rules.version + "-workers")
    two = rescore_store(store, again, workers=2, batch=3)
    assert (two.rescored, two.flagged) == (7, 0)
    assert stored(again.version) == by_one
    assert rescore_store(store, again, workers=2).rescored == 0


# ---- queries -----------------------------------------------------------------------------


def test_flagged_filters_by_since_area_and_handler(store, mate_result):
    calls = [
        record("early", datetime(2026, 6, 1, 8, 0, tzinfo=UTC), area="Stafford", handler="H1"),
        record("bst", datetime(2026, 6, 1, 10, 30, tzinfo=BST), area="Cannock", handler="H2"),  # 09:30 UTC
        record("late", datetime(2026, 6, 1, 12, 0, tzinfo=UTC), area="Stafford", handler="H2"),
        record("trainee", datetime(2026, 6, 1, 13, 0, tzinfo=UTC), area="Stafford", handler="H2", training=True),
    ]
    store.upsert_calls(calls, None)
    for call in calls:
        store.save_analysis(as_call(mate_result, call.call_id), SHA_A, None)

    def ids(**filters: Any) -> list[str]:
        """Flagged calls in listing order (a call with several flags has several rows)."""
        return list(dict.fromkeys(r["call_id"] for r in store.flagged(**filters)))

    assert ids() == ["late", "bst", "early"]  # newest first, training never
    assert ids(since=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) == ["late", "bst"]
    assert ids(since=datetime(2026, 6, 1, 9, 45, tzinfo=UTC)) == ["late"]  # 10:30+01:00 is 09:30 UTC
    assert ids(since=datetime(2026, 6, 1, 10, 31, tzinfo=BST)) == ["late"]
    assert ids(since=datetime(2026, 6, 1, 10, 29, tzinfo=BST)) == ["late", "bst"]
    assert ids(area="Stafford") == ["late", "early"]
    assert ids(handler="H2") == ["late", "bst"]
    assert ids(area="Stafford", handler="H2") == ["late"]
    assert ids(area="Stafford", handler="H2", since=datetime(2026, 6, 1, 12, 1, tzinfo=UTC)) == []
    assert ids(area="Nowhere") == []

    row = store.flagged(handler="H2", area="Cannock")[0]
    assert row["started_at"] == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)  # the same instant, read back
    assert row["started_at"].utcoffset() == timedelta(0)
    assert (row["indicator"], row["rules_version"], row["area"]) == (
        "informal_language", mate_result["rules_version"], "Cannock")
    assert row["evidence_s"] == [[e["start_s"], e["end_s"]] for e in
                                 mate_result["indicators"]["informal_language"]["evidence"]]


def test_upsert_calls_updates_metadata_and_keeps_first_run(store):
    first = store.start_run("/exports/a", "manifest", "faster-whisper", "tiny.en", "v1", 1)
    store.upsert_calls([record("c1", area="Stafford")], first)
    second = store.start_run("/exports/b", "manifest", "faster-whisper", "tiny.en", "v1", 1)
    store.upsert_calls([record("c1", area="Cannock"), record("c2")], second)
    store.upsert_calls([], second)
    with store.engine.connect() as conn:
        rows = {r["call_id"]: r for r in conn.execute(select(schema.calls)).mappings()}
    assert rows["c1"]["area"] == "Cannock" and rows["c1"]["first_run_id"] == first
    assert rows["c2"]["first_run_id"] == second and rows["c2"]["extra"] == {"queue": "general"}
    assert rows["c1"]["training"] is False


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_runs_and_stale_running_runs_become_interrupted(store):
    host = socket.gethostname()
    stale_pid = dead_pid()
    with store.engine.begin() as conn:
        def running(host: str, pid: int) -> int:
            return conn.execute(insert(schema.runs).values(
                started_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), status="running", export_dir="/x",
                engine="faster-whisper", model="tiny.en", rules_version="v1", host=host, pid=pid,
                workers=1)).inserted_primary_key[0]

        stale = running(host, stale_pid)            # killed: its process is gone from this host
        alive = running(host, os.getpid())          # still going on this host
        elsewhere = running(host + "-other", stale_pid)  # another host: cannot tell, leave it

    run_id = store.start_run("/exports/night", "manifest", "faster-whisper", "tiny.en", "v1", 4)
    status = {r["id"]: r["status"] for r in store.runs()}
    assert status == {stale: "interrupted", alive: "running", elsewhere: "running", run_id: "running"}

    store.record_error(run_id, "night/x.wav", "audio", "not a WAV file", "x")
    store.record_error(run_id, "manifest.csv row 3", "export", "missing started_at")
    store.finish_run(run_id, {"analysed": 3, "failed": 1}, status="finished")
    latest = store.runs(limit=1)
    assert len(latest) == 1 and latest[0]["id"] == run_id
    assert latest[0]["status"] == "finished" and latest[0]["summary"] == {"analysed": 3, "failed": 1}
    assert latest[0]["host"] == host and latest[0]["pid"] == os.getpid() and latest[0]["workers"] == 4
    assert latest[0]["started_at"].tzinfo is not None and latest[0]["finished_at"] >= latest[0]["started_at"]
    assert [(e["stage"], e["call_id"]) for e in store.run_errors(run_id)] == [("audio", "x"), ("export", None)]
    assert store.run_errors(stale) == []


# ---- concurrent writer processes ----------------------------------------------------------


def _writer(url: str, results: list[dict[str, Any]], start, queue) -> None:
    """One worker process: open the store (maybe migrating it), then save its results."""
    try:
        start.wait(60)
        store = Store(url)  # both workers may find a brand-new database and migrate it at once
        store.upsert_calls([record(r["call_id"]) for r in results], None)
        start.wait(60)
        queue.put(("ok", [store.save_analysis(r, SHA_A, None, worker=str(os.getpid())) for r in results]))
        store.engine.dispose()
    except BaseException as exc:  # report it; an exit code alone would hide why
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def run_writers(url: str, batches: list[list[dict[str, Any]]]) -> list[list[int | None]]:
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Barrier(len(batches)), ctx.Queue()
    workers = [ctx.Process(target=_writer, args=(url, batch, start, queue)) for batch in batches]
    for worker in workers:
        worker.start()
    try:
        outcomes = [queue.get(timeout=180) for _ in workers]
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, errors
    assert [w.exitcode for w in workers] == [0] * len(workers)
    return [detail for _, detail in outcomes]


def test_concurrent_writers_save_different_calls(db_url, open_store, mate_result):
    batches = [[as_call(mate_result, f"w{w}_call{i}") for i in range(6)] for w in range(2)]
    saved = run_writers(db_url, batches)
    assert all(isinstance(s, int) for ids in saved for s in ids)
    store = open_store()
    assert counts(store) == {"transcriptions": 12, "scorings": 12, "indicator_results": 12 * len(INDICATORS),
                             "flags": 12 * len(mate_result["flags"])}
    assert migration_state(store)[1] == []


def test_concurrent_writers_racing_for_the_same_call_store_it_once(db_url, open_store, mate_result):
    batches = [[as_call(mate_result, f"same{i}") for i in range(4)] for _ in range(2)]
    saved = run_writers(db_url, batches)
    for first, second in zip(*saved):  # for each call exactly one worker stored it, the other got None
        assert sorted([first is None, second is None]) == [False, True], saved
    store = open_store()
    assert counts(store) == {"transcriptions": 4, "scorings": 4, "indicator_results": 4 * len(INDICATORS),
                             "flags": 4 * len(mate_result["flags"])}
    with store.engine.connect() as conn:
        assert sorted(conn.execute(select(schema.transcriptions.c.call_id)).scalars()) == [
            f"same{i}" for i in range(4)]


def test_pg_helper_leaves_no_server_behind(pg_cluster):
    """A second throwaway cluster starts quickly and is gone, process and files, after stop()."""
    import time

    started = time.monotonic()
    cluster = TempPostgres().start()
    took = time.monotonic() - started
    pid, root = cluster.process.pid, cluster.root
    cluster.stop()
    assert took < 10, f"cluster start took {took:.1f} s"
    assert not Path(root).exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_after_a_run_the_sqlite_file_alone_holds_the_store(tmp_path, mate_result):
    """The write-ahead log is folded in when a run finishes: copying callqa.db copies everything."""
    import shutil

    store = Store(f"sqlite:///{tmp_path / 'callqa.db'}")
    run_id = store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1)
    store.upsert_calls([record("mate")], run_id)
    store.save_analysis(mate_result, "e" * 64, run_id)
    store.finish_run(run_id, {"counts": {"analysed": 1}})
    assert not (tmp_path / "callqa.db-wal").exists() or (tmp_path / "callqa.db-wal").stat().st_size == 0
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "callqa.db", tmp_path / "copy" / "callqa.db")
    copy = Store(f"sqlite:///{tmp_path / 'copy' / 'callqa.db'}", migrate=False)
    assert copy.count("transcriptions") == 1 and copy.runs()[0]["status"] == "finished"
    store.engine.dispose()
    copy.engine.dispose()


def test_backup_copies_a_live_store(open_store, db_url, tmp_path, mate_result, capsys):
    from callqa.cli import main

    store = open_store()
    store.upsert_calls([record("mate")], None)
    store.save_analysis(mate_result, "f" * 64, None)
    target = tmp_path / ("backup.db" if db_url.startswith("sqlite") else "backup.pgdump")
    assert main(["db", "backup", str(target), "--db", db_url]) == 0
    assert "backed up the store" in capsys.readouterr().err
    assert target.stat().st_size > 0
    if db_url.startswith("sqlite"):
        copy = Store(f"sqlite:///{target}", migrate=False)
        assert copy.count("transcriptions") == 1
        copy.engine.dispose()
    else:
        assert target.read_bytes()[:5] == b"PGDMP"
    assert main(["db", "backup", str(target), "--db", db_url]) == 2          # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_a_second_run_on_one_store_is_refused_while_the_first_lives(open_store, db_url):
    import socket
    import subprocess
    import sys as _sys

    from sqlalchemy import update

    from callqa.store import schema as t
    from callqa.store.store import StoreError

    store = open_store()
    other = subprocess.Popen([_sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        first = store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1)
        with store.engine.begin() as conn:   # as if another process on this host had started it
            conn.execute(update(t.runs).where(t.runs.c.id == first).values(pid=other.pid, host=socket.gethostname()))
        with pytest.raises(StoreError, match=f"run {first} is still running on this store"):
            store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1)
    finally:
        other.kill()
        other.wait()
    second = store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1)   # its process is gone now
    assert [r["status"] for r in store.runs()][:2] == ["running", "interrupted"] and second > first
    # a process's own earlier run never blocks it (a library user running nights in one process)
    assert store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1) > second


def test_a_store_deleted_during_a_run_is_noticed(tmp_path, mate_result):
    from callqa.store.store import StoreError

    path = tmp_path / "callqa.db"
    store = Store(f"sqlite:///{path}")
    run_id = store.start_run("/x", None, "faster-whisper", "tiny.en", "r", 1)
    store.upsert_calls([record("mate")], run_id)
    for name in ("callqa.db", "callqa.db-wal", "callqa.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="deleted or replaced while in use"):
        store.save_analysis(mate_result, "9" * 64, run_id)
    with pytest.raises(StoreError, match="deleted or replaced"):
        store.finish_run(run_id, {})
    store.engine.dispose()


def _without_write_permission(cmd: list[str]) -> list[str]:
    """Run `cmd` as a user file permissions apply to. Root ignores them, so as root the command runs
    without CAP_DAC_OVERRIDE (then root is held to the owner bits like anyone else)."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file unwritable to this user")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *cmd]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_fails_with_one_clear_error(tmp_path, what):
    """Issue 17: a store that cannot be written gave four tracebacks ending in SQLite's "attempt to
    write a readonly database"; now one typed error names the store and what is read-only."""
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "callqa.db"
    Store(f"sqlite:///{path}").engine.dispose()       # a real store, migrated, then made read-only
    for name in ("callqa.db-wal", "callqa.db-shm"):
        (folder / name).unlink(missing_ok=True)
    path.chmod(0o444)
    if what == "folder":
        path.chmod(0o644)
        folder.chmod(0o555)
    code = ("from callqa.store import Store\n"
            "from callqa.pipeline.errors import CallQAError\n"
            "try:\n"
            f"    s = Store('sqlite:///{path}')\n"
            "    s.start_run('/x', None, 'faster-whisper', 'tiny.en', 'r', 1)\n"
            "except CallQAError as e:\n"
            "    print('ERROR', e)\n")
    try:
        done = subprocess.run(_without_write_permission([sys.executable, "-c", code]), capture_output=True,
                              text=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("ERROR the store ") and str(path) in done.stdout
    expected = "the file is read-only" if what == "file" else "folder"
    assert expected in done.stdout and "cannot be written" in done.stdout


def test_upgrading_a_store_that_holds_calls_keeps_them(tmp_path):
    """Migrations run on stores with data, foreign keys on: 0010 renames calls.channels to layout
    without copying the table (a copy fails on the transcriptions that point at each call)."""
    from alembic import command
    from sqlalchemy import text

    from callqa.store.base import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url, migrate=False)
    config = _alembic_config()
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO calls (call_id, audio_path, started_at, call_type, area, handler_id, channels, "
                          "training, source, updated_at) VALUES ('c1', '/x.wav', '2026-11-25 21:14:03', '101', 'A', "
                          "'H1', 'mono', 0, 'manifest.csv row 2', '2026-11-25 22:00:00')"))
        conn.execute(text("INSERT INTO transcriptions (call_id, audio_sha256, engine, model, duration_s, layout, "
                          "channel_layout, transcript, speech, created_at) VALUES ('c1', 'abc', 'faster-whisper', "
                          "'tiny.en', 10.0, 'mono', 'mono', '[]', '{}', '2026-11-25 22:00:00')"))
    old.engine.dispose()
    store = Store(url)   # migrates to head
    assert store.revision() == head_revision()
    with store.engine.connect() as conn:
        assert conn.execute(select(schema.calls.c.call_id, schema.calls.c.layout)).all() == [("c1", "mono")]
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
