"""Opening a store: the URL, the engine, SQLite's pragmas, migrations, backup and checkpoints.

`StoreBase` is what every aggregate's mixin (runs, results, reviews, panels, users) builds on: it
owns the engine and the few helpers they share (a write lock, IN-list chunks). It holds no
aggregate's SQL itself.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from callqa.pipeline.errors import CallQAError
from callqa.store import schema as t

DEFAULT_DB = "sqlite:///callqa.db"
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x63616C6C7161  # "callqa": the PostgreSQL advisory lock that serialises migrations
MAX_ID = 2**31 - 1  # ids beyond this never reach the database (SQLite and PostgreSQL integers)
IN_CHUNK = 1000  # ids per IN (...) list: SQLite and PostgreSQL cap the bound parameters per statement

T = TypeVar("T")


class StoreError(CallQAError):
    """The store cannot be opened or migrated; names the URL (without its password)."""

    exit_code = 5  # the CLI's exit status: a store error


NO_STORE_HINT = ("run `callqa run EXPORT` to create one, or point --db/CALLQA_DB at an existing store")


def resolve_db_url(arg: str | None = None) -> str:
    """--db, else $CALLQA_DB, else callqa.db in the current folder. A bare path means SQLite."""
    url = arg or os.environ.get("CALLQA_DB") or DEFAULT_DB
    return url if "://" in url else f"sqlite:///{url}"


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices small enough for one IN (...) list."""
    for first in range(0, len(items), size):
        yield items[first:first + size]


def write_lock(conn: Connection, pg_lock: int) -> None:
    """Take the store's write lock for this transaction: SQLite's (BEGIN IMMEDIATE), or on
    PostgreSQL the advisory lock `pg_lock`, so a check and the write that follows it are one step."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": pg_lock})


def _engine_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy's default for it is psycopg2, not installed)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


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
    message = str(orig).lower()
    if isinstance(orig, sqlite3.OperationalError) and ("readonly" in message or "unable to open" in message):
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


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration this callqa knows (what `callqa db upgrade` migrates to)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _upgrade(engine: Engine) -> None:
    """Migrate to head in one transaction that holds the store's write lock throughout, so workers
    opening one new store at once take turns: the first creates the tables, the rest find them."""
    from alembic import command

    config = _alembic_config()
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            # pysqlite would only open the transaction at the first INSERT, leaving the CREATE TABLEs
            # outside it; an explicit BEGIN IMMEDIATE makes the DDL transactional and takes the lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check_store_url(db: str | None) -> str:
    """The --db URL resolved and parsed, or a StoreError naming it: SQLite or PostgreSQL only."""
    url = resolve_db_url(db)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"--db {url!r} is not a store URL ({exc}); use a file name, sqlite:///file.db or "
                         "postgresql+psycopg://user@host/db") from None
    if not parsed.drivername.startswith(("sqlite", "postgresql", "postgres")):
        raise StoreError(f"--db {parsed.render_as_string(hide_password=True)}: callqa stores live in SQLite or "
                         "PostgreSQL (sqlite:///file.db, postgresql+psycopg://...)")
    return url


def check_store_reachable(url: str, timeout_s: int = 5) -> None:
    """A server store (PostgreSQL) answers within `timeout_s`, or a StoreError naming it and why:
    checked before a run starts Prefect, so a wrong host or password is one line, not a flow
    failure minutes later. SQLite files need no check (their folder is checked instead)."""
    if sqlite_path(url) is not None or make_url(url).drivername.startswith("sqlite"):
        return
    safe = make_url(url).render_as_string(hide_password=True)
    try:
        engine = create_engine(_engine_url(url), connect_args={"connect_timeout": timeout_s})
    except Exception as exc:  # missing driver
        raise StoreError(f"cannot open store {safe}: {exc}") from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"cannot reach the store {safe}: {reason}") from None
    finally:
        engine.dispose()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


class StoreBase:
    """An open store: its URL and engine, migrated to head unless `migrate=False`.

    `Store(url)` is how the nightly batch (and tests) open a store they may create: a new SQLite
    file and its folders are made and migrated. Everything that only uses a store opens it with
    `Store.open(url)`, which never creates or migrates one."""

    def __init__(self, url: str | None = None, migrate: bool = True, create: bool = True) -> None:
        self.url = resolve_db_url(url)
        path = sqlite_path(self.url)
        if path is not None and create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif path is not None and not path.is_file():
            # A typo in --db must not conjure an empty store (and answer "no flagged calls").
            raise StoreError(f"no store at {path} ({NO_STORE_HINT})")
        try:
            self.engine: Engine = create_engine(_engine_url(self.url),
                                                connect_args={"timeout": 60} if self._sqlite else {})
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot open store {self.safe_url}: {exc}") from None
        if self._sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "handle_error", _sqlite_write_errors)
        if migrate:
            self._migrate()
        self._identity = self._file_identity()

    @classmethod
    def open(cls, url: str | None = None, current: bool = True) -> "StoreBase":
        """An existing store, neither created nor migrated: `StoreError` when there is none at
        `url`, or (with `current`) when it is at an older migration than this callqa's newest."""
        store = cls(url, migrate=False, create=False)
        try:
            revision = store.revision()
            if revision is None:
                raise StoreError(f"no store at {store.where} (it holds no callqa tables; {NO_STORE_HINT})")
            if current:
                head = head_revision()
                if revision != head:
                    if revision in store.known_revisions():
                        raise StoreError(f"the store {store.where} is at migration {revision}, older than this "
                                         f"callqa's {head}: run `callqa db upgrade` (back it up first with "
                                         "`callqa db backup FILE`)")
                    raise StoreError(f"the store {store.where} is at migration {revision}, which this callqa "
                                     f"does not know (newest {head}): it was written by a newer callqa")
        except StoreError:
            store.engine.dispose()
            raise
        return store

    @property
    def where(self) -> str:
        """The store as a message names it: a SQLite file's path, else the URL without its password."""
        path = sqlite_path(self.url)
        return str(path) if path is not None else self.safe_url

    def revision(self) -> str | None:
        """The store's migration revision (alembic_version), or None when it has no callqa tables."""
        try:
            with self.engine.connect() as conn:
                if not conn.dialect.has_table(conn, "alembic_version"):
                    return None
                return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except SQLAlchemyError as exc:  # unreachable server, bad credentials, not a database file
            raise StoreError(f"cannot open store {self.safe_url}: {getattr(exc, 'orig', None) or exc}") from None

    @staticmethod
    def known_revisions() -> set[str]:
        from alembic.script import ScriptDirectory

        return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate to the newest revision (`callqa db upgrade`): (revision before, revision after)."""
        before = self.revision()
        self._migrate()
        return before, self.revision() or head_revision()

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

    def count(self, table: str) -> int:
        """Rows in one table (tests and `callqa status` use it)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.metadata.tables[table])).scalar_one()
