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
    from callqa.pipeline.analyze import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module, so Playwright's loop is closed before flow tests run.
    CI installs Chromium, so there a missing browser fails instead of skipping."""
    from tests.browser import chromium_path, launch

    if chromium_path() is None:
        if os.environ.get("CALLQA_REQUIRE_BROWSER"):
            pytest.fail("Chromium not found: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium not found (apt-get install chromium, or set CALLQA_CHROMIUM)")
    pytest.importorskip("playwright.sync_api", reason="pip install -e .[test] installs playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL cluster for the session, stopped (and deleted) at the end."""
    from tests.pg import PostgresUnavailable, TempPostgres

    try:
        cluster = TempPostgres().start()
    except PostgresUnavailable as exc:
        if os.environ.get("CALLQA_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CALLQA_REQUIRE_POSTGRES=1 but PostgreSQL cannot be started: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable ({exc}); set CALLQA_REQUIRE_POSTGRES=1 to fail instead")
    try:
        yield cluster
    finally:
        cluster.stop()
