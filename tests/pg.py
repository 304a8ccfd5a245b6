"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, one server on 127.0.0.1, then gone.

    with TempPostgres() as pg:          # or pg = TempPostgres(); pg.start(); ...; pg.stop()
        url = pg.create_database("t1")  # postgresql+psycopg://postgres@127.0.0.1:PORT/t1

The server binaries are found in $CALLQA_PG_BINDIR, on PATH, or under /usr/lib/postgresql/*/bin
(Debian's layout; scripts/install-postgres.sh installs them); `PostgresUnavailable` says why a
cluster cannot be had (no binaries, no driver, start failed). initdb refuses to run as root, so as
root the cluster is made and run as the `postgres` OS user (the temp dir is handed to it). The
server is tuned for throwaway speed (no fsync), listens on a free TCP port on 127.0.0.1 only (no
Unix socket), and is stopped by `stop()`, by an atexit hook, and, on Linux, by the kernel if the
test process is killed outright (parent-death signal); a folder such a kill leaves behind is
deleted by the next start.
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from callqa.store.store import pid_alive

SUPERUSER = "postgres"
PREFIX = "callqa-pg-"
OWNER = "owner.pid"  # the test process that made the cluster
START_TIMEOUT_S = 30.0


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL cluster can be started here; the message says why."""


def find_bindir() -> Path | None:
    """The folder holding initdb and postgres: $CALLQA_PG_BINDIR, PATH, or the newest Debian version."""
    explicit = os.environ.get("CALLQA_PG_BINDIR")
    if explicit:
        folder = Path(explicit)
        return folder if (folder / "initdb").is_file() and (folder / "postgres").is_file() else None
    initdb = shutil.which("initdb")
    if initdb:
        folder = Path(initdb).resolve().parent
        if (folder / "postgres").is_file():
            return folder
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    for candidate in reversed(versions):
        folder = Path(candidate).parent
        if (folder / "postgres").is_file():
            return folder
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable_tmp() -> str:
    """A temp folder the postgres user can reach: $TMPDIR unless a folder above it is closed to others."""
    base = Path(tempfile.gettempdir()).resolve()
    for folder in (base, *base.parents):
        if not folder.stat().st_mode & 0o001:
            return "/tmp"
    return str(base)


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _remove_stale_clusters(base: Path) -> None:
    """Delete clusters left by a test process that was killed outright (its server died with it)."""
    for folder in base.glob(PREFIX + "*"):
        owner = _pid_in(folder / OWNER)
        server = _pid_in(folder / "data" / "postmaster.pid")
        if server is not None and pid_alive(server):
            continue
        if owner is None:
            try:
                if time.time() - folder.stat().st_mtime < 3600:  # maybe just being made
                    continue
            except OSError:
                continue
        elif pid_alive(owner):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent() -> None:  # runs in the child after the uid switch (which clears it)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG: immediate shutdown
    except Exception:
        pass


class TempPostgres:
    def __init__(self) -> None:
        self.bindir: Path | None = None
        self.root: Path | None = None
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._run_as: dict = {}

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> "TempPostgres":
        try:
            import psycopg  # noqa: F401  (the driver the store uses for postgresql:// URLs)
        except ImportError:
            raise PostgresUnavailable('the psycopg driver is not installed (pip install "psycopg[binary]")') from None
        self.bindir = find_bindir()
        if self.bindir is None:
            raise PostgresUnavailable("PostgreSQL server binaries (initdb, postgres) not found on PATH or in "
                                      "/usr/lib/postgresql/*/bin; run scripts/install-postgres.sh")
        root_user = os.geteuid() == 0
        base = _reachable_tmp() if root_user else tempfile.gettempdir()
        _remove_stale_clusters(Path(base))
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
        (self.root / OWNER).write_text(f"{os.getpid()}\n")
        if root_user:
            try:
                user = pwd.getpwnam(SUPERUSER)
            except KeyError:
                self._cleanup_dir()
                raise PostgresUnavailable("running as root and there is no 'postgres' OS user to run initdb as")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        atexit.register(self.stop)
        try:
            self._initdb()
            last = None
            for _ in range(3):  # the free port may be taken between probing and binding it
                self.port = free_port()
                try:
                    self._launch()
                    return self
                except PostgresUnavailable as exc:
                    last = exc
            raise last  # type: ignore[misc]
        except BaseException:
            self.stop()
            raise

    def _initdb(self) -> None:
        cmd = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
               "--locale=C", "--no-sync", "--no-instructions"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, env=self._env(), **self._run_as)
        if done.returncode != 0 and "--no-instructions" in (done.stderr or ""):  # initdb < 13
            cmd.remove("--no-instructions")
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, env=self._env(),
                                  **self._run_as)
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")

    def _launch(self) -> None:
        log = self.root / f"postgres-{self.port}.log"
        settings = {
            "listen_addresses": "127.0.0.1", "port": str(self.port), "unix_socket_directories": "",
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "50",
            "shared_buffers": "32MB", "TimeZone": "UTC", "logging_collector": "off",
        }
        cmd = [str(self.bindir / "postgres"), "-D", str(self.data)]
        for key, value in settings.items():
            cmd += ["-c", f"{key}={value}"]
        with open(log, "wb") as out:
            if self._run_as:
                os.chown(log, self._run_as["user"], self._run_as["group"])
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=self.root, env=self._env(), start_new_session=True,
                                            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                                            **self._run_as)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise PostgresUnavailable(f"postgres exited at start: {log.read_text(errors='replace')[-2000:]}")
            if self._ready():
                return
            time.sleep(0.05)
        self._terminate()
        raise PostgresUnavailable(f"postgres not ready after {START_TIMEOUT_S:.0f} s: "
                                  f"{log.read_text(errors='replace')[-2000:]}")

    def _ready(self) -> bool:
        """postmaster.pid's 8th line is 'ready' once the server accepts connections (PostgreSQL >= 10)."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        if len(lines) < 8 or lines[7].strip() != "ready":
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (fast shutdown, then kill) and delete the cluster; safe to call twice."""
        self._terminate()
        self._cleanup_dir()

    def _terminate(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGINT, 10), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                return
            try:
                process.wait(wait_s)
                break
            except subprocess.TimeoutExpired:
                continue
        if sig is signal.SIGKILL:  # the postmaster is gone; take its orphaned backends with it
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _cleanup_dir(self) -> None:
        root, self.root = self.root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> "TempPostgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- use --------------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.errors.SyntaxError:  # PostgreSQL < 13
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        return env
