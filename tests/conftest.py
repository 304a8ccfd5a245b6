"""Shared fixtures: the real-speech folder beside the checkout, sample calls, one loaded engine."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect: a private home and no telemetry, set before anything imports prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="callqa-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

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


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
