"""Read and write the results store.

Every call's analysis is written in one transaction (transcription, scoring, indicator results,
flags), so a batch killed at any moment leaves either the whole result or nothing, and the next
run simply finds that call still pending.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import and_, case, Connection, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from pipeline.errors import CallQAError
from pipeline.rules import SEVERITIES
from pipeline.store import schema as t
from pipeline.voiceprints import VoiceSample, Voiceprint, centroid, decode_vector, encode_vector

DEFAULT_DB = "sqlite:///callqa.db"
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x63616C6C7161  # "callqa": the PostgreSQL advisory lock that serialises migrations
IN_CHUNK = 1000  # call ids per IN (...) list: SQLite and PostgreSQL cap the bound parameters per statement


RUN_LOCK = 0x63616C6C71612D72          # pg advisory lock id for starting a run ("callqa-r")
RUN_LOCK_STALE = timedelta(hours=12)   # a run on another host older than this is taken as dead


class StoreError(CallQAError):
    """The store cannot be opened or migrated; names the URL (without its password)."""


def resolve_db_url(arg: str | None = None) -> str:
    """--db, else $CALLQA_DB, else callqa.db in the current folder. A bare path means SQLite."""
    url = arg or os.environ.get("CALLQA_DB") or DEFAULT_DB
    return url if "://" in url else f"sqlite:///{url}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def parse_date(text: str | None, option: str = "date") -> datetime | None:
    """A user's date or ISO 8601 time for a store query; no offset means UTC."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CallQAError(f"{option} {text!r} is not a date (use YYYY-MM-DD or ISO 8601)") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in the store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _to_utc(value: datetime | None) -> datetime | None:
    """A datetime to write or compare, in UTC. SQLite keeps only the wall-clock digits (the offset is
    dropped), so a +01:00 (BST) time must be converted first or it would be stored an hour out."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _engine_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy's default for it is psycopg2, not installed)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


@dataclass(frozen=True)
class Plan:
    """What a run must do for one call: nothing, re-score a stored transcript, or analyse."""

    call_id: str
    action: str                      # "skip" | "rescore" | "analyse"
    transcription_id: int | None = None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (callqa flags, a review app) run beside a batch; the busy timeout lets
    # several writers (scale-out workers on one host) queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=60000")
    # Switching a new file to WAL needs an exclusive lock and SQLite answers "database is locked" at
    # once, without waiting out the busy timeout, when another process opens it at the same moment.
    deadline = time.monotonic() + 60
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_write_errors(context: Any) -> None:
    """A store that cannot be written (file or folder permissions, a read-only mount) is named
    plainly, wherever the write happens, instead of SQLite's "attempt to write a readonly database"
    under a traceback."""
    orig = context.original_exception
    text = str(orig).lower()
    if isinstance(orig, sqlite3.OperationalError) and ("readonly" in text or "unable to open" in text):
        path = context.engine.url.database if context.engine is not None else "the store"
        raise StoreError(f"the store {path} cannot be written: {_unwritable_reason(path)}; callqa needs to "
                         "write results (give the batch's user write access, or point --db/CALLQA_DB "
                         "at a writable store)") from None


def _unwritable_reason(path: str) -> str:
    """What stops writing: the file, its folder (SQLite creates -wal and -shm files beside it), or neither."""
    file, folder = Path(path), Path(path).parent
    if file.exists() and not os.access(file, os.W_OK):
        return "the file is read-only"
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} is read-only (SQLite writes its -wal and -shm files there)"
    return "the file system refused the write (read-only mount?)"


def _upgrade(engine: Engine) -> None:
    """Migrate to head in one transaction that holds the store's write lock throughout, so workers
    opening one new store at once take turns: the first creates the tables, the rest find them."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            # pysqlite would only open the transaction at the first INSERT, leaving the CREATE TABLEs
            # outside it; an explicit BEGIN IMMEDIATE makes the DDL transactional and takes the lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store:
    def __init__(self, url: str | None = None, migrate: bool = True) -> None:
        self.url = resolve_db_url(url)
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(_engine_url(self.url), connect_args={"timeout": 60} if self._sqlite else {})
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot open store {self.safe_url}: {exc}") from None
        if self._sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "handle_error", _sqlite_write_errors)
        if migrate:
            self._migrate()
        self._identity = self._file_identity()

    def _file_identity(self) -> tuple[int, int] | None:
        """(device, inode) of a SQLite store's file, to notice it being deleted or replaced."""
        path = self.engine.url.database if self._sqlite else None
        if not path or path == ":memory:":
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def check_present(self) -> None:
        """Fail loudly when the SQLite file was deleted or replaced while in use: SQLite would go on
        writing into the unlinked file and report success into a store that no longer exists."""
        if self._identity is not None and self._file_identity() != self._identity:
            raise StoreError(f"the store {self.engine.url.database} was deleted or replaced while in use; "
                             "results written since then are not in it")

    @property
    def _sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True) if hasattr(self, "engine") else self.url

    def _migrate(self) -> None:
        try:
            _upgrade(self.engine)
        except SQLAlchemyError as exc:  # unreachable server, bad credentials, locked past the timeout
            raise StoreError(f"cannot migrate store {self.safe_url}: {getattr(exc, 'orig', None) or exc}") from None

    # ---- runs -------------------------------------------------------------------------------

    def start_run(self, export_dir: str, reader: str | None, engine: str, model: str, rules_version: str,
                  workers: int) -> int:
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")     # check and insert under the write lock
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({RUN_LOCK})")
            self._mark_interrupted(conn)
            self._refuse_concurrent_run(conn)
            return conn.execute(insert(t.runs).values(
                started_at=now(), status="running", export_dir=export_dir, reader=reader, engine=engine,
                model=model, rules_version=rules_version, host=socket.gethostname(), pid=os.getpid(),
                workers=workers)).inserted_primary_key[0]

    @staticmethod
    def _refuse_concurrent_run(conn: Connection) -> None:
        """One run at a time per store: a second would analyse every call again and claim them."""
        c = t.runs.c
        recent = now() - RUN_LOCK_STALE
        rows = conn.execute(select(c.id, c.host, c.pid, c.started_at).where(c.status == "running")).all()
        for row in rows:
            here = row.host == socket.gethostname()
            if (here and row.pid != os.getpid() and pid_alive(row.pid)) or \
                    (not here and _utc(row.started_at) > recent):
                raise StoreError(f"run {row.id} is still running on this store (host {row.host}, pid {row.pid}, "
                                 f"started {_utc(row.started_at):%Y-%m-%d %H:%M} UTC): wait for it to finish; "
                                 "a second run at once would analyse every call again")

    def _mark_interrupted(self, conn: Connection) -> None:
        """A 'running' run whose process is gone from this host was killed: say so."""
        rows = conn.execute(select(t.runs.c.id, t.runs.c.pid).where(
            t.runs.c.status == "running", t.runs.c.host == socket.gethostname())).all()
        dead = [row.id for row in rows if not pid_alive(row.pid)]
        if dead:
            conn.execute(update(t.runs).where(t.runs.c.id.in_(dead)).values(status="interrupted"))

    def finish_run(self, run_id: int, summary: dict[str, Any], status: str = "finished") -> None:
        self.check_present()
        with self.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(
                status=status, finished_at=now(), summary=summary))
        self.checkpoint()

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database file, so that after a run the file
        alone holds every result (a plain copy of callqa.db is then a whole store). Readers that
        hold the log open make this a partial checkpoint, which is harmless."""
        if not self._sqlite:
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, destination: str | Path) -> Path:
        """A consistent copy of the live store: SQLite's online backup API, or pg_dump for PostgreSQL."""
        destination = Path(destination)
        if destination.exists():
            raise StoreError(f"backup target {destination} already exists; choose a new file")
        destination.parent.mkdir(parents=True, exist_ok=True)
        if self._sqlite:
            raw = self.engine.raw_connection()
            try:
                target = sqlite3.connect(str(destination))
                try:
                    raw.driver_connection.backup(target)
                finally:
                    target.close()
            finally:
                raw.close()
            return destination
        import shutil
        import subprocess

        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise StoreError("pg_dump not found: install the PostgreSQL client tools to back up this store")
        url = self.engine.url.set(drivername="postgresql")
        result = subprocess.run([pg_dump, "--format=custom", "--file", str(destination),
                                 url.render_as_string(hide_password=False)], capture_output=True, text=True)
        if result.returncode != 0:
            destination.unlink(missing_ok=True)
            raise StoreError(f"pg_dump failed for {self.safe_url}: {result.stderr.strip()[:300]}")
        return destination

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)).mappings().all()
        return [{**row, "started_at": _utc(row["started_at"]), "finished_at": _utc(row["finished_at"])}
                for row in rows]

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                select(t.errors).where(t.errors.c.run_id == run_id).order_by(t.errors.c.id)).mappings()]

    def record_error(self, run_id: int | None, source: str, stage: str, message: str,
                     call_id: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(t.errors).values(run_id=run_id, call_id=call_id, source=source, stage=stage,
                                                 message=message, created_at=now()))

    # ---- calls ------------------------------------------------------------------------------

    def upsert_calls(self, records: Iterable[Any], run_id: int | None) -> None:
        """Store each call's metadata (the export is the truth: a re-export updates it).

        One INSERT ... ON CONFLICT DO UPDATE, so workers upserting the same calls at once cannot
        collide on the primary key; `first_run_id` keeps the run that first saw the call."""
        rows: dict[str, dict[str, Any]] = {}
        for record in records:  # the last row wins if a batch names a call twice
            rows[record.call_id] = dict(
                call_id=record.call_id, audio_path=str(record.audio), started_at=_to_utc(record.started_at),
                call_type=record.call_type, area=record.area, handler_id=record.handler_id,
                channels=record.channels, answer_delay_s=record.answer_delay_s, training=record.training,
                source=record.source, extra=dict(record.extra), updated_at=now(), first_run_id=run_id)
        if not rows:
            return
        with self.engine.begin() as conn:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                if dialect == "sqlite":
                    from sqlalchemy.dialects.sqlite import insert as upsert
                else:
                    from sqlalchemy.dialects.postgresql import insert as upsert
                stmt = upsert(t.calls)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[t.calls.c.call_id],
                    set_={name: stmt.excluded[name] for name in next(iter(rows.values()))
                          if name not in ("call_id", "first_run_id")})
                conn.execute(stmt, [rows[call_id] for call_id in sorted(rows)])  # one lock order: no deadlocks
                return
            known = set(conn.execute(select(t.calls.c.call_id)).scalars())
            for call_id, values in rows.items():
                if call_id in known:
                    conn.execute(update(t.calls).where(t.calls.c.call_id == call_id).values(
                        {k: v for k, v in values.items() if k not in ("call_id", "first_run_id")}))
                else:
                    conn.execute(insert(t.calls).values(**values))

    def plan(self, digests: dict[str, str], engine: str, model: str, rules_version: str) -> list[Plan]:
        """For each call_id -> audio sha256: skip, rescore or analyse with this engine/model/rules."""
        query = (select(t.transcriptions.c.id, t.transcriptions.c.call_id, t.transcriptions.c.audio_sha256,
                        t.scorings.c.id.label("scoring_id"))
                 .outerjoin(t.scorings, and_(t.scorings.c.transcription_id == t.transcriptions.c.id,
                                             t.scorings.c.rules_version == rules_version))
                 .where(t.transcriptions.c.engine == engine, t.transcriptions.c.model == model))
        call_ids = list(digests)
        rows = []
        with self.engine.connect() as conn:
            for first in range(0, len(call_ids), IN_CHUNK):
                rows += conn.execute(
                    query.where(t.transcriptions.c.call_id.in_(call_ids[first:first + IN_CHUNK]))).all()
        found = {(r.call_id, r.audio_sha256): r for r in rows}
        plans = []
        for call_id, digest in digests.items():
            row = found.get((call_id, digest))
            if row is None:
                plans.append(Plan(call_id, "analyse"))
            elif row.scoring_id is None:
                plans.append(Plan(call_id, "rescore", row.id))
            else:
                plans.append(Plan(call_id, "skip", row.id))
        return plans

    # ---- results ----------------------------------------------------------------------------

    def save_analysis(self, result: dict[str, Any], audio_sha256: str, run_id: int | None,
                      worker: str | None = None, voice: VoiceSample | None = None) -> int | None:
        """Store a whole analysis atomically; returns the scoring id, None if already stored.

        `voice` is the handler's voice on a stereo call, kept for their voiceprint. A result the
        database rejects for any other reason (an unknown call, a missing value) raises, and
        leaves nothing behind."""
        self.check_present()
        try:
            with self.engine.begin() as conn:
                transcription_id = conn.execute(insert(t.transcriptions).values(
                    call_id=result["call_id"], audio_sha256=audio_sha256, engine=result["engine"]["name"],
                    model=result["engine"]["model"], duration_s=result["duration_s"], layout=result["layout"],
                    channel_layout=result["channel_layout"], transcript=result["transcript"],
                    speech=result["speech"], audio=result.get("audio"), attribution=result.get("attribution"),
                    vectors=result.get("sentence_vectors"),
                    stats=result.get("stats"), worker=worker,
                    run_id=run_id, created_at=now())).inserted_primary_key[0]
                if voice is not None:
                    self._save_voice(conn, result["call_id"], voice)
                return self._insert_scoring(conn, transcription_id, result, run_id)
        except IntegrityError:
            if self._transcription_exists(result, audio_sha256):
                return None  # another worker stored the same call first: exactly-once holds
            raise

    def save_scoring(self, transcription_id: int, result: dict[str, Any], run_id: int | None,
                     conn: Connection | None = None) -> int | None:
        if conn is not None:
            return self._insert_scoring(conn, transcription_id, result, run_id)
        try:
            with self.engine.begin() as own:
                return self._insert_scoring(own, transcription_id, result, run_id)
        except IntegrityError:
            if self._scoring_exists(transcription_id, result["rules_version"]):
                return None  # already scored with these rules
            raise

    def _transcription_exists(self, result: dict[str, Any], audio_sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.transcriptions.c.id).where(
                t.transcriptions.c.call_id == result["call_id"], t.transcriptions.c.audio_sha256 == audio_sha256,
                t.transcriptions.c.engine == result["engine"]["name"],
                t.transcriptions.c.model == result["engine"]["model"])).first() is not None

    def _scoring_exists(self, transcription_id: int, rules_version: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.scorings.c.id).where(
                t.scorings.c.transcription_id == transcription_id,
                t.scorings.c.rules_version == rules_version)).first() is not None

    @staticmethod
    def _insert_scoring(conn: Connection, transcription_id: int, result: dict[str, Any], run_id: int | None) -> int:
        call_id = result["call_id"]
        scoring_id = conn.execute(insert(t.scorings).values(
            transcription_id=transcription_id, call_id=call_id, rules_version=result["rules_version"],
            silences=result["silences"], flag_count=len(result["flags"]), run_id=run_id,
            score=result.get("score"), review_priority=result.get("review_priority"),
            created_at=now())).inserted_primary_key[0]
        conn.execute(insert(t.indicator_results), [
            dict(scoring_id=scoring_id, call_id=call_id, indicator=name, status=ind["status"],
                 reason=ind.get("reason"), evidence=ind["evidence"], metrics=ind.get("metrics"),
                 confidence=ind.get("confidence"))
            for name, ind in result["indicators"].items()])
        if result["flags"]:
            conn.execute(insert(t.flags), [
                dict(scoring_id=scoring_id, call_id=call_id, indicator=f["indicator"], reason=f["reason"],
                     start_s=f["start_s"], severity=f.get("severity"), confidence=f.get("confidence"),
                     needs_review=bool(f.get("needs_review")),
                     evidence_s=[[e["start_s"], e["end_s"]] for e in result["indicators"][f["indicator"]]["evidence"]])
                for f in result["flags"]])
        return scoring_id

    def transcription(self, transcription_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            query = select(t.transcriptions).where(t.transcriptions.c.id == transcription_id)
            row = conn.execute(query).mappings().one()
        return dict(row)

    def pending_rescores(self, rules_version: str, engine: str | None = None,
                         model: str | None = None) -> list[dict[str, Any]]:
        """Latest transcription of each non-training call that has no scoring with `rules_version`."""
        latest = (select(func.max(t.transcriptions.c.id).label("id"))
                  .join(t.calls, t.calls.c.call_id == t.transcriptions.c.call_id)
                  .where(t.calls.c.training.is_(False)))
        if engine:
            latest = latest.where(t.transcriptions.c.engine == engine)
        if model:
            latest = latest.where(t.transcriptions.c.model == model)
        latest = latest.group_by(t.transcriptions.c.call_id).subquery()
        scored = select(t.scorings.c.transcription_id).where(t.scorings.c.rules_version == rules_version)
        # The call's metadata travels along: answer_time is scored from it.
        query = (select(t.transcriptions, t.calls.c.call_type, t.calls.c.answer_delay_s)
                 .join(latest, latest.c.id == t.transcriptions.c.id)
                 .join(t.calls, t.calls.c.call_id == t.transcriptions.c.call_id)
                 .where(t.transcriptions.c.id.not_in(scored)).order_by(t.transcriptions.c.id))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def latest_scorings(self):
        """Subquery: the newest scoring of each call, which is the call's current result."""
        return select(func.max(t.scorings.c.id).label("id")).group_by(t.scorings.c.call_id).subquery()

    def flagged(self, since: datetime | None = None, area: str | None = None,
                handler: str | None = None) -> list[dict[str, Any]]:
        """Flags on each call's current result, newest calls first; training calls never appear."""
        latest = self.latest_scorings()
        query = (select(t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
                        t.calls.c.handler_id, t.scorings.c.rules_version, t.scorings.c.score,
                        t.scorings.c.review_priority, t.flags.c.indicator, t.flags.c.reason, t.flags.c.severity,
                        t.flags.c.start_s, t.flags.c.evidence_s, t.flags.c.confidence, t.flags.c.needs_review)
                 .join(t.scorings, t.scorings.c.id == t.flags.c.scoring_id)
                 .join(latest, latest.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.flags.c.call_id)
                 .where(t.calls.c.training.is_(False)))
        if since is not None:
            query = query.where(t.calls.c.started_at >= _to_utc(since))
        if area:
            query = query.where(t.calls.c.area == area)
        if handler:
            query = query.where(t.calls.c.handler_id == handler)
        query = query.order_by(t.calls.c.started_at.desc(), t.calls.c.call_id, severity_rank(), t.flags.c.start_s)
        with self.engine.connect() as conn:
            return [{**r, "started_at": _utc(r["started_at"])} for r in conn.execute(query).mappings()]

    def indicator_table(self, run_id: int | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
        """Each non-training call's current result as one row: score, priority, status per indicator.

        `run_id` keeps the calls scored in that run (analysed or re-scored there).
        """
        latest = self.latest_scorings()
        query = (select(t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
                        t.calls.c.handler_id, t.calls.c.answer_delay_s, t.scorings.c.id, t.scorings.c.rules_version,
                        t.scorings.c.score, t.scorings.c.review_priority, t.scorings.c.flag_count,
                        t.scorings.c.run_id)
                 .join(latest, latest.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id)
                 .where(t.calls.c.training.is_(False)))
        if run_id is not None:
            query = query.where(t.scorings.c.run_id == run_id)
        if since is not None:
            query = query.where(t.calls.c.started_at >= _to_utc(since))
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query.order_by(t.calls.c.started_at, t.calls.c.call_id)).mappings()]
            ids = [r["id"] for r in rows]
            statuses: dict[int, dict[str, str]] = {}
            for first in range(0, len(ids), 1000):
                for r in conn.execute(select(t.indicator_results.c.scoring_id, t.indicator_results.c.indicator,
                                             t.indicator_results.c.status)
                                      .where(t.indicator_results.c.scoring_id.in_(ids[first:first + 1000]))):
                    statuses.setdefault(r.scoring_id, {})[r.indicator] = r.status
            unsure: dict[int, list[str]] = {}
            for first in range(0, len(ids), 1000):
                for r in conn.execute(select(t.flags.c.scoring_id, t.flags.c.indicator)
                                      .where(t.flags.c.scoring_id.in_(ids[first:first + 1000]),
                                             t.flags.c.needs_review.is_(True))):
                    unsure.setdefault(r.scoring_id, []).append(r.indicator)
        for row in rows:
            row["needs_review"] = " ".join(sorted(unsure.get(row["id"], [])))
            row.update(statuses.get(row.pop("id"), {}))
            row["started_at"] = _utc(row["started_at"]).isoformat()
            row["flags"] = row.pop("flag_count")
        return rows

    def call_result(self, call_id: str) -> dict[str, Any] | None:
        """The call's current result, rebuilt in the result-JSON shape."""
        with self.engine.connect() as conn:
            scoring = conn.execute(select(t.scorings).where(t.scorings.c.call_id == call_id)
                                   .order_by(t.scorings.c.id.desc()).limit(1)).mappings().first()
            if scoring is None:
                return None
            tr = conn.execute(select(t.transcriptions)
                              .where(t.transcriptions.c.id == scoring["transcription_id"])).mappings().one()
            call = conn.execute(select(t.calls.c.call_type, t.calls.c.answer_delay_s)
                                .where(t.calls.c.call_id == call_id)).mappings().first()
            indicators = conn.execute(select(t.indicator_results)
                                      .where(t.indicator_results.c.scoring_id == scoring["id"])
                                      .order_by(t.indicator_results.c.id)).mappings().all()
            flag_rows = conn.execute(select(t.flags).where(t.flags.c.scoring_id == scoring["id"])
                                     .order_by(t.flags.c.id)).mappings().all()
        return {
            "schema_version": 1, "call_id": call_id, "duration_s": tr["duration_s"], "layout": tr["layout"],
            "channel_layout": tr["channel_layout"], "engine": {"name": tr["engine"], "model": tr["model"]},
            "attribution": tr["attribution"],
            "metadata": {"call_type": call["call_type"] if call else None,
                         "answer_delay_s": call["answer_delay_s"] if call else None},
            "rules_version": scoring["rules_version"], "transcript": tr["transcript"], "speech": tr["speech"],
            "silences": scoring["silences"],
            "indicators": {i["indicator"]: {"status": i["status"], "reason": i["reason"], "evidence": i["evidence"],
                                            **({"metrics": i["metrics"]} if i["metrics"] else {}),
                                            **({"confidence": i["confidence"]} if i["confidence"] is not None else {})}
                           for i in indicators},
            "score": scoring["score"], "review_priority": scoring["review_priority"],
            "flags": [{"indicator": f["indicator"], "reason": f["reason"], "start_s": f["start_s"],
                       "severity": f["severity"], "confidence": f["confidence"],
                       "needs_review": bool(f["needs_review"])} for f in flag_rows],
            "audio": tr["audio"], "stats": tr["stats"], "sentence_vectors": tr["vectors"],
        }

    # ---- voiceprints (biometric: never exported; see pipeline/voiceprints.py) ----------------

    @staticmethod
    def _save_voice(conn: Connection, call_id: str, voice: VoiceSample) -> None:
        handler = conn.execute(select(t.calls.c.handler_id).where(t.calls.c.call_id == call_id)).scalar_one()
        conn.execute(t.voice_samples.delete().where(t.voice_samples.c.call_id == call_id))
        conn.execute(insert(t.voice_samples).values(
            call_id=call_id, handler_id=handler, encoder=voice.encoder, vector=encode_vector(voice.vector),
            seconds=voice.seconds, created_at=now()))

    def voiceprint(self, handler_id: str, encoder: str) -> Voiceprint | None:
        """The handler's enrolled voice: the centroid of their stereo calls' samples."""
        c = t.voice_samples.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.vector, c.seconds, c.created_at)
                                .where(c.handler_id == handler_id, c.encoder == encoder)
                                .order_by(c.call_id)).all()
        samples = [VoiceSample(decode_vector(r.vector), r.seconds, encoder) for r in rows]
        return centroid(handler_id, samples, max((_utc(r.created_at) for r in rows), default=None))

    def voiceprints(self) -> list[dict[str, Any]]:
        """Who has a voiceprint, on how many calls and seconds, since when: never the vectors."""
        c = t.voice_samples.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.handler_id, c.encoder, func.count().label("calls"),
                                       func.sum(c.seconds).label("seconds"),
                                       func.max(c.created_at).label("updated_at"))
                                .group_by(c.handler_id, c.encoder).order_by(c.handler_id)).all()
        return [{"handler_id": r.handler_id, "encoder": r.encoder, "calls": int(r.calls),
                 "seconds": round(float(r.seconds), 1), "updated_at": _utc(r.updated_at)} for r in rows]

    def delete_voiceprint(self, handler_id: str) -> int:
        """Erase a handler's voice samples (with the handler, or on request); returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(t.voice_samples.delete().where(t.voice_samples.c.handler_id == handler_id)).rowcount

    def audit(self, actor: str, action: str, call_id: str | None = None,
              details: dict[str, Any] | None = None, conn: Connection | None = None) -> None:
        """Record who did what to which call; pass `conn` to make it part of a larger transaction."""
        row = dict(at=now(), actor=actor, action=action, call_id=call_id, details=details)
        if conn is not None:
            conn.execute(insert(t.audit_log).values(**row))
            return
        with self.engine.begin() as own:
            own.execute(insert(t.audit_log).values(**row))

    def audit_entries(self, action: str | None = None, call_id: str | None = None,
                      limit: int = 1000) -> list[dict[str, Any]]:
        """Newest first."""
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        if action:
            query = query.where(t.audit_log.c.action == action)
        if call_id:
            query = query.where(t.audit_log.c.call_id == call_id)
        with self.engine.connect() as conn:
            return [{**r, "at": _utc(r["at"])} for r in conn.execute(query).mappings()]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.metadata.tables[table])).scalar_one()


def severity_rank():
    """SQL ordering key for a flag's severity: high first, in the rule pack's SEVERITIES order."""
    return case(*((t.flags.c.severity == name, rank) for rank, name in enumerate(SEVERITIES)),
                else_=len(SEVERITIES))


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (one we may not signal counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
