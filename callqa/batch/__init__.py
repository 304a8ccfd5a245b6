"""The nightly batch without Prefect: the recipe (`night`), getting a night ready before any
Prefect (`prepare`), analysing its calls in the worker processes (`analysis`, `workers`), the
audio fingerprints that decide what needs doing (`digests`), progress in audio seconds
(`progress`), stage lines (`stages`) and what a run did (`summary`).

`callqa.flows.nightly` wraps the recipe in Prefect; nothing here imports Prefect, so each step is
testable on its own and usable from any scheduler.
"""

from callqa.batch.analysis import analyze_calls, expected_seconds
from callqa.batch.digests import audio_digests
from callqa.batch.night import (NightPlan, Settings, analyze_one, fail_run, finish_run, load_settings, open_run,
                                plan_calls, plan_night, record_failure, rescore_planned, stored_outcomes)
from callqa.batch.prepare import PreparedNight, prepare_night
from callqa.batch.summary import Outcome, RunSummary, answer_time_rates, markdown_report, summarise
from callqa.batch.workers import AnalysisPool

__all__ = ["AnalysisPool", "NightPlan", "Outcome", "PreparedNight", "RunSummary", "Settings", "analyze_calls",
           "analyze_one", "answer_time_rates", "audio_digests", "expected_seconds", "fail_run", "finish_run",
           "load_settings", "markdown_report", "open_run", "plan_calls", "plan_night", "prepare_night",
           "record_failure", "rescore_planned", "stored_outcomes", "summarise"]
