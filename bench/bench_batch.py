"""Batch throughput with 1 and 2 worker processes, and re-scoring speed.

    python bench/bench_batch.py [--copies 4] [--rescore-calls 1000]

Builds one export of the sample calls repeated `--copies` times, runs the nightly flow over it
with 1 worker and then 2 workers (fresh store each, same export, same process, so the temporary
Prefect server is shared), then re-scores `--rescore-calls` stored transcripts with a new
rules version. Prints audio hours per wall hour and calls per second.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rescore-calls", type=int, default=1000)
    args = parser.parse_args()
    from callqa.flows.nightly import nightly
    from callqa.rescore import rescore_store
    from callqa.pipeline.rules import load_rule_pack
    from callqa.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export"
        n = build_export(export, args.copies)
        results = {}
        for workers in (1, 2):
            db = f"sqlite:///{tmp}/store-{workers}.db"
            summary = nightly(export_dir=str(export), db=db, workers=workers, report_dir=None)
            assert summary["counts"]["analysed"] == n, summary["counts"]
            results[workers] = summary
            print(f"{workers} worker(s): {n} calls, {summary['audio_hours']:.3f} h audio in {summary['wall_s']:.1f} s "
                  f"-> {summary['audio_hours'] / (summary['wall_s'] / 3600):.0f} audio hours per wall hour "
                  f"({summary['realtime_factor']:.1f}x real time)", flush=True)
        speedup = results[1]["wall_s"] / results[2]["wall_s"]
        print(f"2 workers / 1 worker throughput: {speedup:.2f}x (target >= 1.6x)")

        store = Store(f"sqlite:///{tmp}/store-1.db")
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
