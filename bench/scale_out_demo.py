"""Scale-out on loopback: a Prefect server, a process work pool, two workers, one nightly run.

    python bench/scale_out_demo.py [--export sample_audio] [--workers 2] [--shards 2] [--keep]

Everything runs on 127.0.0.1 in a fresh temporary folder, the way a force runs it on several
machines (docs/scale-out.md), with one machine played by each process group:

1. `prefect server start --host 127.0.0.1 --port <free>` (own PREFECT_HOME, SQLite server database);
2. `python -m callqa.flows.deploy`: the `callqa` process pool and the `analyze-shard/callqa-shards` deployment;
3. N x `prefect worker start --pool callqa --type process --work-queue shards --limit 1`, each
   with its own PREFECT_HOME and working folder (a separate "machine");
4. the nightly flow ("the coordinator") over a copy of the export, a fresh SQLite store, with
   `distribute_to="analyze-shard/callqa-shards"`;

then checks, and exits non-zero when one fails:
- the nightly summary: every scored call analysed, none failed;
- the store: one transcription and one scoring per scored call, nothing else (exactly once);
- the shard flow runs (Prefect API): all Completed, labelled `prefect.worker.name` by the worker
  that ran them, and together they cover several workers;
- the processes: each stored `transcriptions.worker` (host:pid of the speech-to-text process)
  descends from the shard's flow-run process (its `infrastructure_pid`), which descends from the
  `prefect worker` process of the worker named on that shard run; every worker stored calls;
- a second nightly run over the same export analyses nothing.

Every process it started (server, workers, their flow-run and analysis processes) is stopped at
the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
POOL = "callqa"
SHARD_DEPLOYMENT = "callqa-shards"
NIGHTLY_DEPLOYMENT = "callqa-nightly-distributed"  # callqa.flows.deploy's default
BIN = Path(sys.executable).parent

_COORDINATOR = """
import json, sys
from callqa.flows.nightly import nightly
summary = nightly(export_dir=sys.argv[1], db=sys.argv[2], workers=int(sys.argv[3]), report_dir=sys.argv[4],
                  progress=False, distribute_to=sys.argv[5], shards=int(sys.argv[6]))
print("SUMMARY " + json.dumps(summary))
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---- processes ------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, start time in clock ticks) of a live process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class ProcessTracker:
    """Samples /proc while the cluster runs: which process was whose child, and what it ran.

    Short-lived processes (a shard's flow-run process, its speech-to-text processes) are gone by
    the time the run is checked, so their parentage is recorded while they live.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.seen: dict[int, tuple[int, int, str]] = {}  # pid -> (ppid, start ticks, cmdline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="proc-tracker", daemon=True)

    def start(self) -> ProcessTracker:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            stat = _stat(pid)
            if stat is None:
                continue
            known = self.seen.get(pid)
            if known is None or known[1] != stat[1]:  # new, or the pid was reused
                self.seen[pid] = (stat[0], stat[1], _cmdline(pid))

    def ancestors(self, pid: int) -> list[int]:
        chain, seen = [], set()
        while pid in self.seen and pid not in seen and pid > 1:
            seen.add(pid)
            pid = self.seen[pid][0]
            chain.append(pid)
        return chain

    def descendants(self, roots: set[int]) -> set[int]:
        """Every process seen whose ancestry reaches one of `roots` (roots excluded)."""
        return {pid for pid in self.seen if pid not in roots and roots & set(self.ancestors(pid))}

    def alive(self, pids: set[int]) -> set[int]:
        """Those of `pids` still running as the same process (not a reused pid)."""
        out = set()
        for pid in pids:
            stat = _stat(pid)
            if stat is not None and pid in self.seen and stat[1] == self.seen[pid][1]:
                out.add(pid)
        return out


# ---- the loopback cluster -------------------------------------------------------------------

@dataclass
class Started:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class LoopbackCluster:
    """A Prefect server and `workers` process workers on 127.0.0.1, in `root` (a temp folder)."""

    root: Path
    workers: int = 2
    pool: str = POOL
    shard_name: str = SHARD_DEPLOYMENT
    port: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    started: list[Started] = field(default_factory=list)
    tracker: ProcessTracker = field(default_factory=ProcessTracker)
    killed: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def distribute_to(self) -> str:
        return f"analyze-shard/{self.shard_name}"

    @property
    def worker_names(self) -> list[str]:
        return [f"loopback-worker-{i + 1}" for i in range(self.workers)]

    def env(self, home: str, **extra: str) -> dict[str, str]:
        """A clean environment: no inherited Prefect profile, server or store settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "CALLQA_DB"}
        env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", DO_NOT_TRACK="1",
                   PREFECT_HOME=str(self.root / home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_API_URL=self.api_url, PREFECT_WORKER_QUERY_SECONDS="1",
                   PREFECT_CLI_COLORS="false", PYTHONUNBUFFERED="1", **extra)
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> Started:
        cwd.mkdir(parents=True, exist_ok=True)
        log = self.root / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        started = Started(name, popen, log)
        self.started.append(started)
        return started

    # -- start ---------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.root.mkdir(parents=True, exist_ok=True)
        self.tracker.start()
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        t0 = time.perf_counter()
        self.port = self.port or free_port()
        server = self._spawn("server", [str(BIN / "prefect"), "server", "start", "--host", HOST, "--port",
                                        str(self.port), "--no-ui"],
                             self.env("server-home", PREFECT_SERVER_UI_ENABLED="false"), self.root / "server")
        self._wait_healthy(server, timeout=120)
        self.timings["server_start_s"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        deploy = subprocess.run([sys.executable, "-m", "callqa.flows.deploy", "--pool", self.pool,
                                 "--shard-name", self.shard_name],
                                cwd=ROOT, env=self.env("coordinator-home"), capture_output=True, text=True,
                                timeout=120, check=False)
        (self.root / "deploy.log").write_text(deploy.stdout + deploy.stderr)
        if deploy.returncode:
            raise RuntimeError(f"python -m callqa.flows.deploy failed ({deploy.returncode}):\n{deploy.stdout}"
                               f"{deploy.stderr}")
        self.timings["deploy_s"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        from callqa.flows.deploy import worker_command

        for i, name in enumerate(self.worker_names):
            command = worker_command(self.pool, "shards", name, limit=1)
            command[0] = str(BIN / "prefect")
            self._spawn(name, command, self.env(f"{name}/home"), self.root / name)
            # One at a time: two first heartbeats at once can meet "database is locked" in the
            # demo's SQLite server database (PostgreSQL in production has no such limit).
            self._wait_workers_online(self.worker_names[:i + 1], timeout=90)
        self.timings["workers_start_s"] = time.perf_counter() - t2

    def _wait_healthy(self, server: Started, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.popen.poll() is not None:
                raise RuntimeError(f"prefect server exited {server.popen.returncode}:\n{tail(server.log)}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"prefect server not healthy after {timeout:.0f} s:\n{tail(server.log)}")

    def _wait_workers_online(self, names: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        online: set[str] = set()
        while time.monotonic() < deadline:
            for started in self.started:
                if started.name in names and started.popen.poll() is not None:
                    raise RuntimeError(f"{started.name} exited {started.popen.returncode}:\n{tail(started.log)}")
            workers = self.api("POST", f"/work_pools/{self.pool}/workers/filter", {})
            online = {w["name"] for w in workers if w.get("status") == "ONLINE"}
            if online >= set(names):
                return
            time.sleep(0.3)
        raise RuntimeError(f"workers online after {timeout:.0f} s: {sorted(online)}, wanted {names}")

    # -- use -----------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        response = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def run_nightly(self, export_dir: Path, db: str, shards: int, workers_per_shard: int = 1,
                    timeout: float = 180) -> dict[str, Any]:
        """The nightly flow in its own process (the coordinator), distributing to the pool."""
        command = [sys.executable, "-c", _COORDINATOR, str(export_dir), db, str(workers_per_shard),
                   str(self.root / "reports"), self.distribute_to, str(shards)]
        log = self.root / f"nightly-{len(list(self.root.glob('nightly-*.log'))) + 1}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(command, cwd=self.root, env=self.env("coordinator-home"), stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            self.started.append(Started(log.stem, popen, log))
            try:
                popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"nightly run did not finish in {timeout:.0f} s:\n{tail(log)}") from None
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("SUMMARY ")]
        if popen.returncode or not lines:
            raise RuntimeError(f"nightly run failed ({popen.returncode}):\n{tail(log)}")
        return json.loads(lines[-1].removeprefix("SUMMARY "))

    def run_nightly_deployment(self, export_dir: Path, db: str, shards: int, workers_per_shard: int = 1,
                               timeout: float = 180) -> dict[str, Any]:
        """The production path: nightly registered as a deployment on the pool's `nightly` queue,
        picked up by a coordinator worker, started with `prefect deployment run --watch`."""
        from callqa.flows.deploy import NIGHTLY_QUEUE, worker_command

        env = self.env("coordinator-home")
        deploy = subprocess.run(
            [sys.executable, "-m", "callqa.flows.deploy", "--pool", self.pool, "--shard-name", self.shard_name,
             "--nightly", "--export-dir", str(export_dir), "--db", db,
             "--shards", str(shards), "--workers", str(workers_per_shard),
             "--report-dir", str(self.root / "reports"), "--at", "none"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
        (self.root / "deploy-nightly.log").write_text(deploy.stdout + deploy.stderr)
        if deploy.returncode:
            raise RuntimeError(f"python -m callqa.flows.deploy --nightly failed:\n{deploy.stdout}{deploy.stderr}")
        if not any(s.name == "loopback-coordinator" for s in self.started):
            command = worker_command(self.pool, NIGHTLY_QUEUE, "loopback-coordinator", limit=1)
            command[0] = str(BIN / "prefect")
            self._spawn("loopback-coordinator", command, self.env("loopback-coordinator/home"),
                        self.root / "loopback-coordinator")
            self._wait_workers_online(["loopback-coordinator"], timeout=90)
        log = self.root / "nightly-deployment.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(
                [str(BIN / "prefect"), "deployment", "run", f"nightly/{NIGHTLY_DEPLOYMENT}", "--watch",
                 "--watch-interval", "1"], cwd=self.root, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
            self.started.append(Started("nightly-deployment-run", popen, log))
            try:
                popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"nightly deployment run did not finish in {timeout:.0f} s:\n{tail(log)}") from None
        if popen.returncode:
            raise RuntimeError(f"nightly deployment run failed ({popen.returncode}):\n{tail(log)}\n"
                               f"coordinator worker:\n{tail(self.root / 'loopback-coordinator.log')}")
        from sqlalchemy import text

        from callqa.store import Store

        store = Store(db)
        with store.engine.connect() as conn:
            summary = conn.execute(text("SELECT summary FROM runs ORDER BY id DESC LIMIT 1")).scalar()
        store.engine.dispose()
        return json.loads(summary) if isinstance(summary, str) else summary

    def deployment_runs(self, deployment: str) -> list[dict[str, Any]]:
        """Flow runs of `deployment` ("flow/deployment-name"), from the server's API."""
        found = self.api("GET", f"/deployments/name/{deployment}")
        return self.api("POST", "/flow_runs/filter", {"deployments": {"id": {"any_": [found["id"]]}}, "limit": 200})

    def shard_runs(self, run_id: int) -> list[dict[str, Any]]:
        """The analyze-shard flow runs that nightly run `run_id` handed to the pool."""
        return [r for r in self.deployment_runs(self.distribute_to)
                if (r.get("parameters") or {}).get("run_id") == run_id]

    # -- stop ----------------------------------------------------------------------------------

    def stop(self) -> list[str]:
        """Stop every process started here and all their descendants; returns what had to be killed."""
        if self.stopped:
            return self.killed
        self.stopped = True
        t0 = time.perf_counter()
        self.tracker.sample()
        roots = {s.popen.pid for s in self.started}
        family = self.tracker.descendants(roots)
        killed = self.killed
        # Workers and coordinator first (the server must outlive them to hear them go), then the server.
        for group in ([s for s in self.started if s.name != "server"], [s for s in self.started if s.name == "server"]):
            for started in group:
                if started.popen.poll() is None:
                    _signal(started.popen.pid, signal.SIGTERM)
            for started in group:
                try:  # a nightly process blocked on its shards may not heed SIGTERM: do not wait long
                    started.popen.wait(timeout=5 if started.name.startswith("nightly") else 20)
                except subprocess.TimeoutExpired:
                    killed.append(started.name)
                    _signal(started.popen.pid, signal.SIGKILL)
                    started.popen.wait(timeout=10)
        self.tracker.sample()
        family |= self.tracker.descendants(roots)
        leftover = self.tracker.alive(family)
        for pid in leftover:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while leftover and time.monotonic() < deadline:
            time.sleep(0.2)
            leftover = self.tracker.alive(leftover)
        for pid in leftover:
            killed.append(f"{pid} {self.tracker.seen[pid][2][:80]}")
            _signal(pid, signal.SIGKILL)
        self.tracker.stop()
        self.timings["stop_s"] = time.perf_counter() - t0
        return killed

    def still_running(self) -> list[str]:
        """Processes of this cluster alive now: started here, their descendants, or naming its folder."""
        self.tracker.sample()
        roots = {s.popen.pid for s in self.started}
        pids = self.tracker.alive(roots | self.tracker.descendants(roots))
        marker = str(self.root)
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                pid = int(entry.name)
                try:
                    environ = Path(f"/proc/{pid}/environ").read_bytes()
                except OSError:
                    continue
                if marker.encode() in environ or marker in _cmdline(pid):
                    pids.add(pid)
        return [f"{pid} {_cmdline(pid)[:100]}" for pid in sorted(pids) if _stat(pid)]


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} unreadable)"


# ---- checks ---------------------------------------------------------------------------------

@dataclass
class Evidence:
    summary: dict[str, Any]
    scored: list[str]
    rows: list[dict[str, Any]]               # transcriptions: call_id, worker, run_id
    scorings: Counter
    shard_runs: list[dict[str, Any]]
    calls_by_worker: Counter                 # worker name -> calls stored by its processes
    stt_processes: dict[str, set[str]]       # worker name -> host:pid of its speech-to-text processes
    failures: list[str]


def scored_call_ids(export_dir: Path) -> list[str]:
    from callqa.recorder_export import read_export

    return sorted(c.call_id for c in read_export(export_dir).calls if not c.training)


def collect(cluster: LoopbackCluster, export_dir: Path, db: str, summary: dict[str, Any]) -> Evidence:
    """Check one distributed nightly run: exactly-once in the store, every worker took calls."""
    from sqlalchemy import text

    from callqa.store import Store

    failures: list[str] = []
    scored = scored_call_ids(export_dir)
    run_id = summary["run_id"]
    counts = summary["counts"]
    if counts.get("analysed") != len(scored) or counts.get("failed"):
        failures.append(f"nightly summary {counts}: wanted {len(scored)} analysed, 0 failed; "
                        f"errors {summary.get('errors')}")

    store = Store(db)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(text(
            "SELECT call_id, worker, run_id FROM transcriptions ORDER BY call_id")).mappings()]
        scorings = Counter(r[0] for r in conn.execute(text("SELECT call_id FROM scorings")))
    store.engine.dispose()
    per_call = Counter(r["call_id"] for r in rows)
    if sorted(per_call) != scored or set(per_call.values()) != {1}:
        failures.append(f"transcriptions per call {dict(per_call)}: wanted exactly one for each of {scored}")
    if sorted(scorings) != scored or set(scorings.values()) != {1}:
        failures.append(f"scorings per call {dict(scorings)}: wanted exactly one for each of {scored}")
    if {r["run_id"] for r in rows} != {run_id}:
        failures.append(f"transcriptions from runs {sorted({r['run_id'] for r in rows})}, wanted {run_id}")

    # Prefect's record: which worker picked up which shard.
    shards = cluster.shard_runs(run_id)
    shard_of: dict[str, dict[str, Any]] = {}
    for run in shards:
        state = (run.get("state") or {}).get("type")
        if state != "COMPLETED":
            failures.append(f"shard flow run {run['name']} ended {state}")
        for call_id in run["parameters"]["call_ids"]:
            if call_id in shard_of:
                failures.append(f"{call_id} was handed to two shard runs")
            shard_of[call_id] = run
    if sorted(shard_of) != scored:
        failures.append(f"shard runs cover {sorted(shard_of)}, wanted {scored}")
    labelled = {(run.get("labels") or {}).get("prefect.worker.name") for run in shards}
    if labelled != set(cluster.worker_names):
        failures.append(f"shard runs labelled with workers {sorted(map(str, labelled))}, "
                        f"wanted {cluster.worker_names}")

    # The processes: the stored speech-to-text process descends from the shard's flow-run process,
    # which descends from the `prefect worker` process Prefect says picked the shard up.
    worker_pid = {s.name: s.popen.pid for s in cluster.started if s.name in cluster.worker_names}
    name_of_pid = {pid: name for name, pid in worker_pid.items()}
    by_worker: Counter = Counter()
    stt: dict[str, set[str]] = {name: set() for name in cluster.worker_names}
    host = socket.gethostname()
    for row in rows:
        where = f"{row['call_id']} (stored by {row['worker']})"
        stored_host, _, pid_text = (row["worker"] or "").rpartition(":")
        if stored_host != host or not pid_text.isdigit():
            failures.append(f"{where}: not a process on this host")
            continue
        chain = cluster.tracker.ancestors(int(pid_text))
        owners = [name_of_pid[p] for p in chain if p in name_of_pid]
        if not owners:
            failures.append(f"{where}: process not seen under any worker (ancestry {chain})")
            continue
        owner = owners[0]
        by_worker[owner] += 1
        stt[owner].add(row["worker"])
        run = shard_of.get(row["call_id"])
        if run is None:
            continue
        labelled_worker = (run.get("labels") or {}).get("prefect.worker.name")
        if labelled_worker != owner:
            failures.append(f"{where}: ran under {owner}, but Prefect says {labelled_worker} ran shard {run['name']}")
        infra = str(run.get("infrastructure_pid") or "")
        if not infra.isdigit() or int(infra) not in chain:
            failures.append(f"{where}: not a descendant of shard {run['name']}'s flow-run process {infra or '?'}")
    idle = [name for name in cluster.worker_names if not by_worker[name]]
    if idle:
        failures.append(f"workers that stored no call: {idle} (per worker: {dict(by_worker)})")
    return Evidence(summary, scored, rows, scorings, shards, by_worker, stt, failures)


# ---- the demo -------------------------------------------------------------------------------

def run_demo(root: Path, export: Path, workers: int = 2, shards: int = 2, log=print,
             via_deployment: bool = False) -> dict[str, Any]:
    """The whole loopback proof in `root`; returns timings, evidence and failures (stopped after).

    `via_deployment`: run the first night as the registered `nightly` deployment on the pool's
    `nightly` queue (a third, coordinator worker), as a force's schedule would, instead of calling
    the flow from a process of its own.
    """
    export_copy = root / "export"
    shutil.copytree(export, export_copy)
    db = f"sqlite:///{root / 'callqa.db'}"
    report: dict[str, Any] = {"failures": []}
    cluster = LoopbackCluster(root, workers=workers)
    t0 = time.perf_counter()
    try:
        with cluster:
            log(f"server {cluster.api_url} up in {cluster.timings['server_start_s']:.1f} s; "
                f"deployment {cluster.distribute_to} on pool {cluster.pool} in {cluster.timings['deploy_s']:.1f} s; "
                f"{workers} workers online in {cluster.timings['workers_start_s']:.1f} s")
            t1 = time.perf_counter()
            if via_deployment:
                summary = cluster.run_nightly_deployment(export_copy, db, shards)
            else:
                summary = cluster.run_nightly(export_copy, db, shards)
            cluster.timings["nightly_s"] = time.perf_counter() - t1
            evidence = collect(cluster, export_copy, db, summary)
            report["failures"] += evidence.failures
            if via_deployment:
                report["nightly_runs"] = runs = cluster.deployment_runs(f"nightly/{NIGHTLY_DEPLOYMENT}")
                ran_on = [(r.get("labels") or {}).get("prefect.worker.name") for r in runs]
                if ran_on != ["loopback-coordinator"]:
                    report["failures"].append(f"nightly deployment runs on workers {ran_on}, "
                                              "wanted one on loopback-coordinator")
                log(f"nightly deployment run {runs[0]['name'] if runs else '?'} on {ran_on}")
            log(f"nightly run {summary['run_id']}: {summary['counts']} in {cluster.timings['nightly_s']:.1f} s "
                f"(flow wall {summary['wall_s']} s, {summary['audio_s']} s of audio)")
            for run in sorted(evidence.shard_runs, key=lambda r: r["name"]):
                log(f"  shard {run['name']}: {(run.get('state') or {}).get('type')} on "
                    f"{(run.get('labels') or {}).get('prefect.worker.name')} "
                    f"(flow-run pid {run.get('infrastructure_pid')}), calls {run['parameters']['call_ids']}")
            log("  SELECT worker, count(*) FROM transcriptions GROUP BY worker:")
            for name in cluster.worker_names:
                for process in sorted(evidence.stt_processes[name]):
                    n = sum(r["worker"] == process for r in evidence.rows)
                    log(f"    {process:<24} {n}   (under {name})")
            log(f"  calls per worker: {dict(evidence.calls_by_worker)}; transcriptions {len(evidence.rows)} for "
                f"{len(evidence.scored)} scored calls, scorings {sum(evidence.scorings.values())}")

            t2 = time.perf_counter()
            again = cluster.run_nightly(export_copy, db, shards)
            cluster.timings["rerun_s"] = time.perf_counter() - t2
            if again["counts"].get("analysed") or again["counts"].get("skipped") != len(evidence.scored):
                report["failures"].append(f"second run {again['counts']}: wanted 0 analysed, "
                                          f"{len(evidence.scored)} skipped")
            log(f"second nightly run: {again['counts']} in {cluster.timings['rerun_s']:.1f} s")
            report.update(summary=summary, evidence=evidence, rerun=again)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, after everything is stopped
        report["failures"].append(f"{type(exc).__name__}: {exc}")
    finally:
        report["killed"] = cluster.stop()
    report["leftover"] = cluster.still_running()
    if report["leftover"]:
        report["failures"].append(f"processes left running: {report['leftover']}")
    cluster.timings["total_s"] = time.perf_counter() - t0
    report["timings"] = {k: round(v, 1) for k, v in cluster.timings.items()}
    report["cluster"] = cluster
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", type=Path, default=ROOT / "sample_audio", help="export to copy and analyse")
    parser.add_argument("--workers", type=int, default=2, help="prefect workers to start (machines)")
    parser.add_argument("--shards", type=int, default=2, help="shard flow runs (>= workers)")
    parser.add_argument("--via-deployment", action="store_true",
                        help="run the night as the registered nightly deployment (coordinator worker)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, store)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/stat").exists():
        print("needs Linux /proc to follow the worker processes", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="callqa-scale-out-"))
    try:
        report = run_demo(root, args.export.resolve(), args.workers, args.shards,
                          via_deployment=args.via_deployment)
        print(f"timings (s): {report['timings']}")
        if report["killed"]:
            print(f"had to kill: {report['killed']}")
        for failure in report["failures"]:
            print(f"FAIL {failure}", file=sys.stderr)
        if not report["failures"]:
            print("OK: every scored call stored exactly once, every worker took calls, nothing left running")
        return 1 if report["failures"] else 0
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
