"""`callqa serve` registers the nightly deployment on a cron schedule in local time, on a real server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callqa.pipeline.errors import CallQAError
from tests.conftest import SAMPLES


def test_schedule_is_local_time_and_validated():
    from callqa.flows.schedule import nightly_schedule

    schedule = nightly_schedule("02:30", "Europe/London")
    assert (schedule.cron, schedule.timezone) == ("30 2 * * *", "Europe/London")
    with pytest.raises(CallQAError, match="not a time of day"):
        nightly_schedule("25:00")
    with pytest.raises(CallQAError, match="not a known time zone"):
        nightly_schedule("02:00", "Europe/Stoke")


def test_serve_registers_the_nightly_deployment(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    db = f"sqlite:///{tmp_path / 'store.db'}"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("callqa")), "serve", str(SAMPLES), "--db", db,
                             "--at", "01:15", "--workers", "2"], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    async def deployment():
        async with get_client() as client:
            return await client.read_deployment_by_name("nightly/callqa-nightly")

    try:
        deadline = time.monotonic() + 120
        found = None
        while found is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                found = asyncio.run(deployment())
            except Exception:
                time.sleep(1)
        assert found is not None, proc.stdout.read() if proc.poll() is not None else "serve did not register"
        [schedule] = found.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == ("15 1 * * *", "Europe/London")
        assert schedule.active
        assert found.parameters == {"export_dir": str(SAMPLES), "db": db, "workers": 2, "config_path": None}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
