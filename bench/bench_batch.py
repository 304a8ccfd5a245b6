"""Batch throughput with 1 and 2 worker processes, the fixed cost of a run, and re-scoring speed.

    python bench/bench_batch.py [--copies 4] [--rounds 1] [--rescore-calls 1000]

Builds one export of the sample calls repeated `--copies` times and, in one run, side by side:

1. runs the nightly flow over it with 1 worker and with 2 workers (fresh store each, same export,
   same process, so the temporary Prefect server is shared; `--rounds 2` alternates 1,2,2,1 to
   even out a machine whose load changes), printing each wall time, audio hours per wall hour,
   the parent's own CPU seconds (its bookkeeping, which competes with the workers) and the
   2-worker/1-worker throughput ratio;
2. measures the fixed cost of a night with nothing to do (the export already scored) in fresh
   processes: `callqa run` (no Prefect at all) beside the nightly flow called directly (what a
   schedule runs: imports and a temporary Prefect server);
3. re-scores `--rescore-calls` stored transcripts with a new rules version (calls per second).

Each line carries the load average: on a shared machine the ratios measured side by side are
what to compare, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def build_export(folder: Path, copies: int) -> int:
    rows = list(csv.DictReader(open(ROOT / "sample_audio" / "manifest.csv")))
    rows = [r for r in rows if r["training"] == "false"]
    folder.mkdir(parents=True)
    out = []
    for copy in range(copies):
        for row in rows:
            name = f"{row['call_id']}-{copy}"
            shutil.copy(ROOT / "sample_audio" / row["audio"], folder / f"{name}.wav")
            out.append({**row, "call_id": name, "audio": f"{name}.wav"})
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(out)
    return len(out)


def prefect_server_cpu_s() -> float:
    """CPU seconds so far of this process's temporary Prefect server (a child: uvicorn), from
    /proc; 0 where there is no /proc or no such child."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in (p for p in os.listdir("/proc") if p.isdigit()) if Path("/proc").is_dir() else ():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == os.getpid() and b"uvicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                total += (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_night(export: Path, db: str, workers: int) -> dict:
    """One nightly flow run in this process: its summary, wall time, and CPU seconds of the parent
    (its bookkeeping), of the Prefect server and of the workers (reaped when the pool closes)."""
    from callqa.flows.nightly import nightly

    cpu, server, wall = time.process_time(), prefect_server_cpu_s(), time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = nightly(export_dir=str(export), db=db, workers=workers, report_dir=None)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {**summary, "bench_wall_s": time.perf_counter() - wall, "parent_cpu_s": time.process_time() - cpu,
            "server_cpu_s": prefect_server_cpu_s() - server,
            "worker_cpu_s": (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)}


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def fresh_process_s(args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of a command in a new process (imports included), which must succeed."""
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{args[:3]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def fixed_cost(export: Path, db: str, tmp: str, repeats: int) -> None:
    """A night with nothing to do, each way, alternated `repeats` times: `callqa run` (no Prefect)
    and the nightly flow in a fresh process with a fresh PREFECT_HOME (a temporary server)."""
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    cli = [str(Path(sys.executable).with_name("callqa")), "run", str(export), "--db", db, "--report-dir", ""]
    flow = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[3]); from callqa.flows.nightly import "
            "nightly; s = nightly(export_dir=sys.argv[1], db=sys.argv[2], report_dir=None); "
            "assert s['counts']['analysed'] == 0, s['counts']", str(export), db, str(ROOT)]
    times: dict[str, list[float]] = {"cli": [], "flow": []}
    for i in range(repeats):
        times["cli"].append(fresh_process_s(cli, env))
        times["flow"].append(fresh_process_s(flow, {**env, "PREFECT_HOME": f"{tmp}/prefect-fresh-{i}"}))
    cli_s, flow_s = (statistics.median(times[k]) for k in ("cli", "flow"))
    print(f"nothing to do, fresh process: `callqa run` {cli_s:.1f} s (no Prefect; target < 5 s) vs the nightly "
          f"flow {flow_s:.1f} s (temporary Prefect server): {flow_s / cli_s:.1f}x less fixed cost "
          f"[median of {repeats}: {', '.join(f'{a:.1f}/{b:.1f}' for a, b in zip(times['cli'], times['flow']))}; "
          f"{load()}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="1: workers 1 then 2; 2: 1,2,2,1; ...")
    parser.add_argument("--fixed-repeats", type=int, default=3)
    parser.add_argument("--rescore-calls", type=int, default=1000)
    args = parser.parse_args()
    from callqa.rescore import rescore_store
    from callqa.pipeline.rules import load_rule_pack
    from callqa.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export"
        n = build_export(export, args.copies)
        order = [w for r in range(args.rounds) for w in ((1, 2) if r % 2 == 0 else (2, 1))]
        walls: dict[int, list[float]] = {1: [], 2: []}
        overhead: dict[int, list[float]] = {1: [], 2: []}
        for i, workers in enumerate(order):
            db = f"sqlite:///{tmp}/store-{workers}-{i}.db"
            summary = run_night(export, db, workers)
            assert summary["counts"]["analysed"] == n, summary["counts"]
            walls[workers].append(summary["wall_s"])
            print(f"{workers} worker(s): {n} calls, {summary['audio_hours']:.3f} h audio in {summary['wall_s']:.1f} s "
                  f"-> {summary['audio_hours'] / (summary['wall_s'] / 3600):.0f} audio hours per wall hour "
                  f"({summary['realtime_factor']:.1f}x real time); CPU s: parent {summary['parent_cpu_s']:.1f}, "
                  f"Prefect server {summary['server_cpu_s']:.1f}, workers {summary['worker_cpu_s']:.1f} "
                  f"[{load()}]", flush=True)
            overhead[workers].append((summary["parent_cpu_s"] + summary["server_cpu_s"]) / summary["worker_cpu_s"])
        one, two = (statistics.median(walls[w]) for w in (1, 2))
        print(f"1 worker {one:.1f} s vs 2 workers {two:.1f} s: 2 workers / 1 worker throughput {one / two:.2f}x "
              f"(target >= 1.8x) [{load()}]", flush=True)
        print(f"parent + Prefect server CPU per worker CPU second: {100 * statistics.median(overhead[1]):.1f}% "
              f"(1 worker), {100 * statistics.median(overhead[2]):.1f}% (2 workers): on 2 free cores 2 workers could "
              f"reach about {2 / (1 + statistics.median(overhead[2])):.2f}x", flush=True)

        fixed_cost(export, f"sqlite:///{tmp}/store-1-0.db", tmp, args.fixed_repeats)

        store = Store(f"sqlite:///{tmp}/store-1-0.db")
        grow_store(store, args.rescore_calls)
        rules = load_rule_pack()
        summary = rescore_store(store, replace(rules, version=rules.version + "-bench"))
        print(f"re-scoring: {summary.rescored} calls in {summary.seconds:.2f} s -> "
              f"{summary.calls_per_second:.0f} calls per second (target > 100)")


def grow_store(store, total: int) -> None:
    """Copy stored analyses under new call ids until the store holds `total` transcripts."""
    from types import SimpleNamespace

    from callqa.store import schema as t

    with store.engine.connect() as conn:
        calls = [dict(r) for r in conn.execute(t.calls.select()).mappings()]
    base = [store.call_result(c["call_id"]) for c in calls]
    base = [b for b in base if b]
    i = 0
    while store.count("transcriptions") < total:
        src = base[i % len(base)]
        call_id = f"{src['call_id']}-x{i}"
        meta = next(c for c in calls if c["call_id"] == src["call_id"])
        store.upsert_calls([SimpleNamespace(**{**meta, "call_id": call_id, "audio": meta["audio_path"]})], None)
        store.save_analysis({**src, "call_id": call_id}, f"bench{i}", None)
        i += 1


if __name__ == "__main__":
    main()
