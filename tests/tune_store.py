"""A store of simulated calls with a simulated QA lead's decisions, built once per test process
(bench/bench_tune.py builds it) and copied for each test module that changes it."""

from __future__ import annotations

import functools
import sqlite3
import sys
import tempfile
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from bench_tune import LEAD_LIMIT_S, build_store  # noqa: E402

CALLS = 40


@functools.lru_cache(maxsize=1)
def _template() -> tuple[Path, dict[str, float]]:
    folder = Path(tempfile.mkdtemp(prefix="callqa-tune-template-"))
    gaps = build_store(f"sqlite:///{folder / 'tune.db'}", CALLS, seed=7)
    return folder / "tune.db", gaps


def tune_store(target_dir: Path) -> tuple[str, dict[str, float]]:
    """(URL of a private copy of the simulated store, call id -> the handler's silence in seconds)."""
    template, gaps = _template()
    target = target_dir / "tune.db"
    source, dest = sqlite3.connect(template), sqlite3.connect(target)
    with dest:
        source.backup(dest)
    source.close()
    dest.close()
    return f"sqlite:///{target}", dict(gaps)


__all__ = ["CALLS", "LEAD_LIMIT_S", "tune_store"]
