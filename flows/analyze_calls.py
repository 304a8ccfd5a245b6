"""A Prefect flow that analyses a list of call recordings and writes one result JSON each.

Thin by design: every decision lives in `pipeline`; this file only adds retries, logging and
the guarantee that one bad recording is reported without stopping the rest. The nightly batch
over recorder exports builds on it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from prefect import flow, get_run_logger, task

from pipeline.analyze import Analyzer
from pipeline.config import load_config
from pipeline.errors import CallQAError


@lru_cache(maxsize=2)
def _analyzer(config_path: str | None) -> Analyzer:
    """One loaded speech model per worker process and configuration."""
    return Analyzer(load_config(config_path))


@task(retries=1, retry_delay_seconds=1)
def analyze_one(audio: str, out_dir: str, layout: str | None, config_path: str | None) -> dict:
    """Analyse one call; a bad recording is an outcome to report, not a reason to retry."""
    try:
        result = _analyzer(config_path).analyze(audio, layout).to_dict()
    except CallQAError as exc:
        get_run_logger().warning("skipped %s", exc)
        return {"audio": audio, "status": "error", "error": str(exc)}
    target = Path(out_dir) / f"{result['call_id']}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(target)  # never leave a half-written result behind
    return {"audio": audio, "status": "analysed", "call_id": result["call_id"], "json": str(target),
            "flags": [f["indicator"] for f in result["flags"]]}


@flow(name="analyze-calls")
def analyze_calls(audio: list[str], out_dir: str, layout: str | None = None,
                  config_path: str | None = None) -> list[dict]:
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    outcomes = [analyze_one(path, out_dir, layout, config_path) for path in audio]
    analysed = sum(o["status"] == "analysed" for o in outcomes)
    get_run_logger().info("analysed %d of %d calls, %d flagged", analysed, len(outcomes),
                          sum(bool(o.get("flags")) for o in outcomes))
    return outcomes
