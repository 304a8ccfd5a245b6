"""`callqa serve`: the nightly flow as a Prefect deployment on a cron schedule in local time.

Against a Prefect server (PREFECT_API_URL) the deployment shows in its UI and workers elsewhere
can run it; without one, Prefect starts a temporary server that lives as long as this process.
"""

from __future__ import annotations

import re
from typing import Any

from prefect.schedules import Cron, Schedule

from callqa.pipeline.config import LOCAL_TIMEZONE
from callqa.pipeline.errors import CallQAError
from callqa.store import resolve_db_url

DEPLOYMENT = "callqa-nightly"


def nightly_schedule(at: str = "02:00", timezone: str = LOCAL_TIMEZONE) -> Schedule:
    """Every day at `at` local time; Europe/London follows GMT/BST, so 02:00 stays 02:00."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at)
    if not match:
        raise CallQAError(f"--at {at!r} is not a time of day (HH:MM, 24-hour)")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:
        raise CallQAError(f"--timezone {timezone!r} is not a known time zone (e.g. Europe/London)") from None
    hour, minute = int(match[1]), int(match[2])
    return Cron(f"{minute} {hour} * * *", timezone=timezone)


def serve_parameters(export_dir: str, db: str | None, workers: int, config_path: str | None) -> dict[str, Any]:
    return {"export_dir": export_dir, "db": resolve_db_url(db), "workers": workers, "config_path": config_path}


def serve_nightly(export_dir: str, db: str | None = None, workers: int = 1, config_path: str | None = None,
                  at: str = "02:00", timezone: str = LOCAL_TIMEZONE, dry_run: bool = False) -> None:
    from callqa.flows.nightly import nightly

    schedule = nightly_schedule(at, timezone)
    parameters = serve_parameters(export_dir, db, workers, config_path)
    print(f"deployment {DEPLOYMENT}: cron '{schedule.cron}' ({schedule.timezone}), parameters {parameters}")
    if dry_run:
        return
    nightly.serve(name=DEPLOYMENT, schedule=schedule, parameters=parameters,
                  description="callqa nightly batch over the recorder export")
