"""Every generated bad input through the real readers in one process: crashes, unclear errors, peak RSS.

    python bench/bench_bad_inputs.py                 # audio: probe + load_call, 3 passes; exports once
    python bench/bench_bad_inputs.py --passes 10     # more passes: peak RSS must not grow with them
    python bench/bench_bad_inputs.py --show          # list each crash and unclear message

Inputs come from tests/bad_inputs.py (seeded, so every run reads the same files). A damaged header
that claims 1 Hz or 2 GB of samples must be refused before decoding allocates for it, and nothing
may be kept per file: the peak resident set size after the first pass is the baseline, and later
passes over the same files (or many more files) must leave it where it was.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import bad_inputs as bad  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * resource.getpagesize() / 2**20


def run_pass(cases: list[bad.Case], root: Path, runner) -> list[bad.Outcome]:
    outcomes = []
    for n, case in enumerate(cases):
        outcomes.append(runner(case, root / str(n)))
    return outcomes


def summary(label: str, outcomes: list[bad.Outcome]) -> str:
    kinds = Counter(o.case.kind for o in outcomes)
    crashes = sum(1 for o in outcomes if o.crash)
    unclear = sum(1 for o in outcomes if o.unclear)
    lost = sum(len(o.lost) for o in outcomes)
    wrong = sum(1 for o in outcomes if o.wrong)
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    return (f"{label}: inputs {len(outcomes)} ({by_kind}); crashes {crashes}; unclear errors {unclear}; "
            f"good calls lost {lost}; broken promises {wrong}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3, help="passes over the audio inputs (default 3)")
    parser.add_argument("--show", action="store_true", help="print each crash and unclear message")
    args = parser.parse_args()

    import callqa.pipeline.audio  # noqa: F401 - import cost is not part of the per-file memory
    import callqa.recorder_export  # noqa: F401,F811

    audio = [c for c in bad.all_cases() if c.kind == "audio"]
    exports = [c for c in bad.all_cases() if c.kind != "audio"]
    bad.good_audio()
    gc.collect()
    print(f"before: peak RSS {peak_rss_mb():.0f} MB, current {current_rss_mb():.0f} MB")
    problems: list[bad.Outcome] = []
    first_peak = None
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(1, args.passes + 1):
            started = time.perf_counter()
            outcomes = run_pass(audio, Path(tmp) / f"audio{number}", bad.run_audio)
            gc.collect()
            first_peak = first_peak or peak_rss_mb()
            print(summary(f"audio pass {number}", outcomes) + f"; {time.perf_counter() - started:.1f} s; "
                  f"peak RSS {peak_rss_mb():.0f} MB, current {current_rss_mb():.0f} MB")
            problems += [o for o in outcomes if o.crash or o.unclear or o.lost or o.wrong]
        started = time.perf_counter()
        outcomes = run_pass(exports, Path(tmp) / "exports", bad.run_export)
        print(summary("exports", outcomes) + f"; {time.perf_counter() - started:.1f} s")
        problems += [o for o in outcomes if o.crash or o.unclear or o.lost or o.wrong]
    growth = peak_rss_mb() - (first_peak or 0)
    print(f"after: peak RSS {peak_rss_mb():.0f} MB ({growth:+.0f} MB after the first audio pass), "
          f"current {current_rss_mb():.0f} MB")
    if args.show:
        for outcome in problems:
            print(f"  {outcome.case.kind} {outcome.case.name}: {outcome.crash or ''} {outcome.unclear[:2]} "
                  f"{outcome.lost} {outcome.wrong}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
