#!/usr/bin/env python
"""What judging costs: embedding and scoring against transcription per call, and re-scoring speed.

    python bench/bench_scoring.py --calls sample_audio [--rescore-calls 1000]

Analyses every call in the folder once (tiny.en, one thread; the time split comes from each
result's stats), then copies the stored analyses into a temporary SQLite store until it holds
`--rescore-calls` transcripts and re-scores them all with a new rules version, as
`callqa rescore` does (store reads and writes included, no speech-to-text, no encoder).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=Path, default=ROOT / "sample_audio")
    parser.add_argument("--rescore-calls", type=int, default=1000)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_batch import grow_store
    from callqa.pipeline.analyze import Analyzer
    from callqa.recorder_export import read_export
    from callqa.rescore import rescore_store
    from callqa.store import Store

    analyzer = Analyzer()
    rows = [r for r in read_export(args.calls).calls if not r.training]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "bench.db"))
        store.upsert_calls(rows, None)
        stt = embed = scoring = 0.0
        for row in rows:
            result = analyzer.analyze(row.audio, call_id=row.call_id, call_type=row.call_type,
                                      answer_delay_s=row.answer_delay_s).to_dict()
            stt += result["stats"]["stt_s"]
            embed += result["stats"]["embed_s"]
            scoring += result["stats"]["score_s"]
            store.save_analysis(result, f"sha-{row.call_id}", None)
        print(f"{len(rows)} calls: speech-to-text {stt:.2f} s, sentence embeddings {embed:.2f} s, "
              f"scoring {scoring:.2f} s -> judging costs {100 * (embed + scoring) / stt:.1f}% of transcription "
              f"(embeddings {100 * embed / stt:.1f}%, scoring {100 * scoring / stt:.1f}%)")
        grow_store(store, args.rescore_calls)
        started, cpu = time.perf_counter(), time.process_time()
        summary = rescore_store(store, replace(analyzer.rules, version=analyzer.rules.version + "-bench"))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU seconds beside the wall clock: on a shared machine the wall clock also counts others' work.
        print(f"re-scoring: {summary.rescored} calls in {wall:.2f} s -> {summary.rescored / wall:.0f} calls/s "
              f"({summary.rescored / cpu:.0f} per CPU second, load {os.getloadavg()[0]:.1f}; store reads and "
              f"writes included; no speech-to-text, no encoder)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
