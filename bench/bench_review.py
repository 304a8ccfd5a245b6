"""Review app page times on a large store, and panel pack build speed.

    python bench/bench_review.py [--calls 3000]

Runs the nightly batch over sample_audio/ once, then copies its real results under `--calls` new
call ids (spread over 12 weeks, 40 handlers, 5 areas) to make a store the size of a force's
quarter. Prints the median time of each review-app page (Flask test client, signed in as a QA
lead, SQLite), the redaction time per call, and the time and size of a 12-call panel pack.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

AREAS = ("Stafford", "Cannock", "Stoke-on-Trent", "Newcastle-under-Lyme", "Tamworth")


def fill(folder: Path, calls: int) -> tuple[str, list[dict]]:
    from callqa.recorder_export import CallRecord
    from callqa.store import Store

    seed_db = folder / "seed.db"
    subprocess.run([sys.executable, "-m", "callqa.cli", "run", str(ROOT / "sample_audio"), "--db", str(seed_db),
                    "--report-dir", "", "--workers", "2"], cwd=folder, check=True, capture_output=True)
    seed = Store(f"sqlite:///{seed_db}")
    with seed.engine.connect() as conn:
        from sqlalchemy import select

        from callqa.store import schema as t
        rows = conn.execute(select(t.calls).where(t.calls.c.training.is_(False))).mappings().all()
    results = [(dict(r), seed.call_result(r["call_id"])) for r in rows]
    url = f"sqlite:///{folder / 'big.db'}"
    store = Store(url)
    start = datetime(2026, 9, 1, 8, tzinfo=timezone.utc)
    records, copies = [], []
    for i in range(calls):
        call, result = results[i % len(results)]
        call_id = f"{call['call_id']}-{i:05d}"
        records.append(CallRecord(call_id, Path(call["audio_path"]), start + timedelta(minutes=40 * i),
                                  call["call_type"], AREAS[i % len(AREAS)], f"H{i % 40:03d}", call["layout"],
                                  call["answer_delay_s"], False, f"bench row {i}"))
        copies.append({**copy.deepcopy(result), "call_id": call_id})
    store.upsert_calls(records, None)
    for result in copies:
        store.save_analysis(result, f"bench-{result['call_id']}", None)
    return url, [r for _, r in results]


def median_ms(client, path: str, repeats: int = 5) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(repeats):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        status = response.status_code
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    from callqa.panel.pack import build_pack
    from callqa.panel.redact import redact_result
    from callqa.panel.sampling import SampleFilters, sample
    from callqa.store import Store
    from callqa.web.users import add_user
    from bench_store_scale import signed_in_client   # the real sign-in form, as the year-store bench signs in

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        url, originals = fill(folder, args.calls)
        store = Store(url)
        print(f"store: {args.calls} calls, {store.count('flags')} flags "
              f"(filled in {time.perf_counter() - began:.0f} s)")
        add_user(store, "lead", "bench-password-123", "qa_lead")
        client = signed_in_client(url, folder / "instance", "lead", "bench-password-123")
        call_id = f"{originals[0]['call_id']}-00000"
        print("\nreview app, median of 5 requests (ms):")
        for path in ("/queue", "/queue?area=Cannock&indicator=empathy", "/queue?status=all&page=5", "/queue.csv",
                     f"/calls/{call_id}", "/operators", "/operators/H007", "/teams", "/teams/Stafford", "/runs"):
            ms, status = median_ms(client, path)
            print(f"  {path:45} {ms:8.1f}  (HTTP {status})")

        began = time.perf_counter()
        rounds = 20
        for _ in range(rounds):
            for result in originals:
                redact_result(result)
        per_call = (time.perf_counter() - began) / (rounds * len(originals)) * 1000
        print(f"\nredaction (text): {per_call:.2f} ms per call")

        draw = sample(store, "bench panel", SampleFilters(n=12, min_999=2, flagged_share=0.3), 1, "bench")
        began = time.perf_counter()
        pack = build_pack(store, draw.draw_id, folder / "pack", actor="bench")
        seconds = time.perf_counter() - began
        size = sum(p.stat().st_size for p in pack.folder.rglob("*") if p.is_file())
        audio_min = sum(c.result["duration_s"] for c in pack.calls) / 60
        print(f"panel pack: {len(pack.calls)} calls, {audio_min:.1f} min of audio, built in {seconds:.1f} s, "
              f"{size / 1e6:.1f} MB ({size / 1e6 / audio_min:.2f} MB per audio minute)")


if __name__ == "__main__":
    main()
