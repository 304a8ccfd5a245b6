"""Register callqa's flows as deployments on a Prefect process work pool (scale-out).

    python -m callqa.flows.deploy --pool callqa                       # the analyze-shard deployment
    python -m callqa.flows.deploy --pool callqa --nightly --export-dir /mnt/recorder/export \\
        --db postgresql+psycopg://callqa:SECRET@db-host/callqa --shards 4 --workers 4 --at 02:00

Against the server in PREFECT_API_URL this creates the work pool (type "process") if it is
missing and registers:

- `analyze-shard/<shard-name>` (default `analyze-shard/callqa-shards`) on the pool's `shards`
  queue: the unit of work one machine's worker runs (some calls of the export, analysed in that
  machine's own worker processes, stored in the shared store);
- with `--nightly`, `nightly/<nightly-name>` (default `nightly/callqa-nightly-distributed`) on the pool's
  `nightly` queue, on a cron schedule in local time, with `distribute_to` pointing at the shard
  deployment, so the nightly run only plans, hands out shards and writes the report.

No image, build or push: the deployments name their flows by module path (`callqa.flows.nightly.
analyze_shard`), and every machine that runs a worker has callqa installed, so the worker imports
the flow from the installed package. Workers are started on each machine with the command printed
at the end (`prefect worker start --pool callqa --type process --work-queue shards --limit 1`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from callqa.pipeline.config import LOCAL_TIMEZONE

SHARD_QUEUE = "shards"
NIGHTLY_QUEUE = "nightly"
DEFAULT_POOL = "callqa"
SHARD_DEPLOYMENT = "callqa-shards"
NIGHTLY_DEPLOYMENT = "callqa-nightly-distributed"  # `callqa serve` owns "callqa-nightly"


def ensure_pool(pool: str) -> bool:
    """Create the process work pool `pool` if the server does not have it; True if created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_work_pool(pool)
        except ObjectNotFound:
            pass
        else:
            if existing.type != "process":
                raise ValueError(f"work pool {pool!r} exists with type {existing.type!r}; callqa needs a process pool")
            return False
        try:
            client.create_work_pool(WorkPoolCreate(
                name=pool, type="process", base_job_template=ProcessWorker.get_default_base_job_template(),
                description="callqa nightly batch: one process worker per analysis machine"))
        except ObjectAlreadyExists:  # another machine created it meanwhile
            return False
        return True


def register_shards(pool: str = DEFAULT_POOL, name: str = SHARD_DEPLOYMENT, queue: str = SHARD_QUEUE) -> str:
    """The analyze-shard flow as a deployment on `pool`; returns what `distribute_to` takes."""
    from prefect.deployments.runner import EntrypointType

    from callqa.flows.nightly import analyze_shard

    ensure_pool(pool)
    deployment = analyze_shard.to_deployment(
        name=name, work_pool_name=pool, work_queue_name=queue, entrypoint_type=EntrypointType.MODULE_PATH,
        description="callqa: analyse some calls of an export (one shard of a nightly run) on this worker's machine")
    deployment.apply()
    return f"analyze-shard/{name}"


def nightly_parameters(export_dir: str, db: str, distribute_to: str, shards: int = 2, workers: int = 1,
                       config_path: str | None = None, reader: str | None = None,
                       report_dir: str | None = None) -> dict[str, Any]:
    """Parameters of the scheduled nightly run. Paths must mean the same on every machine."""
    from callqa.store import resolve_db_url

    db_url = resolve_db_url(db)
    if db_url.startswith("sqlite:///") and not os.path.isabs(db_url.removeprefix("sqlite:///")):
        raise ValueError(f"--db {db!r}: a scaled-out run needs an absolute path or a server URL, "
                         "every worker opens it from its own working directory")
    for label, path in (("--export-dir", export_dir), ("--config", config_path), ("--report-dir", report_dir)):
        if path and not os.path.isabs(path):
            raise ValueError(f"{label} {path!r}: give an absolute path, the same on every machine")
    return {"export_dir": export_dir, "db": db_url, "workers": workers, "config_path": config_path,
            "reader": reader, "report_dir": report_dir or "callqa-reports", "progress": False,
            "distribute_to": distribute_to, "shards": shards}


def register_nightly(parameters: dict[str, Any], pool: str = DEFAULT_POOL, name: str = NIGHTLY_DEPLOYMENT,
                     queue: str = NIGHTLY_QUEUE, at: str | None = "02:00", timezone: str = LOCAL_TIMEZONE) -> str:
    """The nightly flow as a (cron-scheduled, unless `at` is None) deployment on `pool`."""
    from prefect.deployments.runner import EntrypointType

    from callqa.flows.nightly import nightly
    from callqa.flows.schedule import nightly_schedule

    ensure_pool(pool)
    deployment = nightly.to_deployment(
        name=name, work_pool_name=pool, work_queue_name=queue, entrypoint_type=EntrypointType.MODULE_PATH,
        schedule=nightly_schedule(at, timezone) if at else None, parameters=parameters,
        description="callqa nightly batch: plans the export, hands shards to the workers, writes the report")
    deployment.apply()
    return f"nightly/{name}"


def worker_command(pool: str = DEFAULT_POOL, queue: str = SHARD_QUEUE, name: str | None = None,
                   limit: int | None = 1) -> list[str]:
    """The command each analysis machine runs (one worker per machine, one shard at a time)."""
    command = ["prefect", "worker", "start", "--pool", pool, "--type", "process", "--work-queue", queue]
    if name:
        command += ["--name", name]
    if limit:
        command += ["--limit", str(limit)]
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callqa.flows.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", default=DEFAULT_POOL, help="process work pool (created if missing)")
    parser.add_argument("--shard-name", default=SHARD_DEPLOYMENT, help="name of the analyze-shard deployment")
    parser.add_argument("--nightly", action="store_true", help="also register the scheduled nightly deployment")
    parser.add_argument("--nightly-name", default=NIGHTLY_DEPLOYMENT)
    parser.add_argument("--export-dir", help="recorder export folder (absolute; the same path on every machine)")
    parser.add_argument("--db", help="results store URL shared by all machines (postgresql+psycopg://...)")
    parser.add_argument("--shards", type=int, default=2, help="shard flow runs per night (>= number of machines)")
    parser.add_argument("--workers", type=int, default=1, help="analysis processes per shard (cores per machine)")
    parser.add_argument("--config", dest="config_path", help="settings file (absolute path)")
    parser.add_argument("--reader", help="export reader (default: auto)")
    parser.add_argument("--report-dir", help="where the nightly run writes run-N.md (absolute path)")
    parser.add_argument("--at", default="02:00", help="local time of the nightly run (HH:MM), or 'none'")
    parser.add_argument("--timezone", default=LOCAL_TIMEZONE)
    args = parser.parse_args(argv)

    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            print("PREFECT_API_URL is not set: point it at the Prefect server "
                  "(export PREFECT_API_URL=http://prefect-host:4200/api)", file=sys.stderr)
            return 2
    from callqa.pipeline.errors import CallQAError

    try:
        created = ensure_pool(args.pool)
        print(f"work pool {args.pool!r} (process): {'created' if created else 'exists'}")
        target = register_shards(args.pool, args.shard_name)
        print(f"deployment {target} on {args.pool}/{SHARD_QUEUE}")
        if args.nightly:
            if not args.export_dir or not args.db:
                parser.error("--nightly needs --export-dir and --db")
            parameters = nightly_parameters(args.export_dir, args.db, target, args.shards, args.workers,
                                            args.config_path, args.reader, args.report_dir)
            at = None if args.at.lower() == "none" else args.at
            nightly_target = register_nightly(parameters, args.pool, args.nightly_name, at=at,
                                              timezone=args.timezone)
            print(f"deployment {nightly_target} on {args.pool}/{NIGHTLY_QUEUE}, "
                  f"{'daily at ' + at + ' ' + args.timezone if at else 'no schedule'}")
    except (ValueError, CallQAError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\nOn every analysis machine (callqa installed, export mounted at the same path), start one worker:")
    print("  " + " ".join(worker_command(args.pool, SHARD_QUEUE, "callqa-$(hostname)")))
    if args.nightly:
        print("and on one machine a worker for the nightly run itself (it mostly waits for the shards):")
        print("  " + " ".join(worker_command(args.pool, NIGHTLY_QUEUE, "callqa-nightly-$(hostname)")))
    print(f"Run a night by hand: prefect deployment run 'nightly/{args.nightly_name}'" if args.nightly else
          f"Use it from a nightly run: nightly(..., distribute_to='{target}', shards=N)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
