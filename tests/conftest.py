"""Shared fixtures: the real-speech folder beside the checkout, sample calls, one loaded engine."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
SAMPLES = ROOT / "sample_audio"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real-speech folder {REAL} is absent (it sits beside the checkout as ../shared)")
    return REAL


@pytest.fixture(scope="session")
def analyzer():
    """One tiny.en engine for the whole session: loading per test would dominate the run time."""
    from pipeline.analyze import Analyzer

    return Analyzer()
