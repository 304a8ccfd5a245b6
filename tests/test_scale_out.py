"""Scale-out proved on loopback: a Prefect server, a process work pool and two workers.

Starts `prefect server start` and two `prefect worker start --pool callqa --type process` on
127.0.0.1 (bench/scale_out_demo.py), registers the deployments with `python -m callqa.flows.deploy`,
runs the night as a force's schedule would (the `nightly` deployment, picked up by a coordinator
worker on the pool's `nightly` queue, `distribute_to` the analyze-shard deployment, 2 shards) over
a copy of the sample export, then once more by calling the flow directly, and checks that:
- every scored call is stored exactly once (one transcription, one scoring), a re-run adds nothing;
- both workers took calls: Prefect labels each shard flow run with the worker that picked it up,
  and each stored `transcriptions.worker` process (host:pid of the speech-to-text process)
  descends from that shard's flow-run process and from that worker's `prefect worker` process;
- nothing it started is left running, pass or fail.
About 50 s on two cores.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux",
                                reason="follows worker processes through Linux /proc")


def _demo():
    spec = importlib.util.spec_from_file_location("scale_out_demo", ROOT / "bench" / "scale_out_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_two_workers_share_a_nightly_run_and_store_each_call_once(tmp_path):
    demo = _demo()
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        print(line)

    report = demo.run_demo(tmp_path / "cluster", SAMPLES, workers=2, shards=2, log=log, via_deployment=True)
    cluster = report["cluster"]
    print(f"timings (s): {report['timings']}")
    if report["failures"]:  # the logs say why: keep them in the failure message
        logs = "\n".join(f"--- {s.log.name}\n{demo.tail(s.log, 25)}" for s in cluster.started)
        pytest.fail("\n".join(report["failures"]) + "\n" + logs)

    evidence = report["evidence"]
    scored = evidence.scored
    expected = len(list(SAMPLES.glob("*.wav")))  # every sample call but the training row is scored
    assert len(scored) == expected
    # exactly once: one transcription and one scoring per scored call, all from this run
    assert sorted(r["call_id"] for r in evidence.rows) == scored
    assert sorted(evidence.scorings.elements()) == scored
    assert report["summary"]["counts"]["analysed"] == expected and report["summary"]["counts"]["failed"] == 0
    assert report["rerun"]["counts"]["analysed"] == 0 and report["rerun"]["counts"]["skipped"] == expected
    # both workers took calls, by Prefect's record and by process ancestry
    assert {r["labels"]["prefect.worker.name"] for r in evidence.shard_runs} == set(cluster.worker_names)
    assert set(evidence.calls_by_worker) == set(cluster.worker_names)
    assert all(n > 0 for n in evidence.calls_by_worker.values())
    assert sum(evidence.calls_by_worker.values()) == expected
    stt = [p for processes in evidence.stt_processes.values() for p in processes]
    assert len(stt) == len(set(stt)) >= 2  # distinct speech-to-text processes, none shared
    # the night itself ran on the coordinator worker, not on an analysis worker
    assert [r["labels"].get("prefect.worker.name") for r in report["nightly_runs"]] == ["loopback-coordinator"]
    # nothing left behind
    assert cluster.still_running() == []


def test_deploy_parameters_need_paths_that_mean_the_same_on_every_machine():
    from callqa.flows.deploy import nightly_parameters, worker_command

    params = nightly_parameters("/mnt/export", "postgresql+psycopg://callqa@db/callqa", "analyze-shard/callqa-shards",
                                shards=4, workers=8, report_dir="/mnt/reports")
    assert params["distribute_to"] == "analyze-shard/callqa-shards" and params["shards"] == 4
    assert params["db"] == "postgresql+psycopg://callqa@db/callqa" and params["workers"] == 8
    for bad in ({"export_dir": "export"}, {"db": "callqa.db"}, {"report_dir": "reports"}):
        args = {"export_dir": "/mnt/export", "db": "/mnt/callqa.db", "report_dir": None, **bad}
        with pytest.raises(ValueError, match="absolute"):
            nightly_parameters(args["export_dir"], args["db"], "analyze-shard/x", report_dir=args["report_dir"])
    assert worker_command("callqa", "shards", "w1") == [
        "prefect", "worker", "start", "--pool", "callqa", "--type", "process", "--work-queue", "shards",
        "--name", "w1", "--limit", "1"]
