"""What a run did: per-call outcomes, the run summary and answer-time rates (the morning report built
from them is `callqa.batch.morning_report`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from callqa.pipeline.indicators.answer_time import target_s
from callqa.pipeline.rules import RulePack

@dataclass
class Outcome:
    call_id: str
    status: str              # analysed | rescored | skipped | failed | training
    flagged: bool = False
    audio_s: float = 0.0
    error: str | None = None


@dataclass
class RunSummary:
    run_id: int
    export_dir: str
    started_at: str
    wall_s: float
    workers: int
    engine: str
    model: str
    rules_version: str
    counts: dict[str, int] = field(default_factory=dict)
    audio_s: float = 0.0
    flagged_calls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answer_time: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def audio_hours(self) -> float:
        return self.audio_s / 3600

    @property
    def realtime_factor(self) -> float:
        return self.audio_s / self.wall_s if self.wall_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "audio_hours": round(self.audio_hours, 4),
                "realtime_factor": round(self.realtime_factor, 2)}


def answer_time_rates(calls: list[Any], rules: RulePack) -> dict[str, dict[str, Any]]:
    """Share of each call type answered within its target (999: 90% within 10 s nationally), the
    target taken from the rule pack through the answer_time indicator, as each call is judged.

    Training calls are left out; calls without an answer time are not counted either way.
    """
    rates = {}
    for call_type in ("999", "101"):
        target = target_s(call_type, rules)
        if target is None:
            continue
        delays = [c.answer_delay_s for c in calls
                  if not c.training and c.call_type == call_type and c.answer_delay_s is not None]
        within = sum(d <= target for d in delays)
        rates[call_type] = {"calls": len(delays), "within_target": within, "target_s": target,
                            "rate": round(within / len(delays), 3) if delays else None}
    return rates


def summarise(run_id: int, export_dir: str, started_at: datetime, wall_s: float, workers: int, engine: str,
              model: str, rules_version: str, outcomes: list[Outcome], export_errors: list[str],
              answer_time: dict[str, dict[str, Any]] | None = None) -> RunSummary:
    """Counts per outcome; audio hours and real-time factor cover speech-to-text work only."""
    counts = {key: 0 for key in ("calls", "analysed", "rescored", "skipped", "failed", "training", "flagged")}
    counts["calls"] = len(outcomes)
    for outcome in outcomes:
        counts[outcome.status] += 1
        counts["flagged"] += outcome.flagged
    counts["export_errors"] = len(export_errors)
    return RunSummary(
        run_id=run_id, export_dir=export_dir, started_at=started_at.isoformat(), wall_s=round(wall_s, 2),
        workers=workers, engine=engine, model=model, rules_version=rules_version, counts=counts,
        audio_s=round(sum(o.audio_s for o in outcomes if o.status == "analysed"), 2),
        flagged_calls=sorted(o.call_id for o in outcomes if o.flagged),
        errors=export_errors + [f"{o.call_id}: {o.error}" for o in outcomes if o.status == "failed"],
        answer_time=answer_time or {})


def markdown_report(summary: RunSummary) -> str:
    """The run's counts in a few lines (call ids only, no transcript text). The nightly run writes
    the fuller morning report instead (`callqa.batch.morning_report`)."""
    c = summary.counts
    lines = [
        f"# callqa run {summary.run_id}", "",
        f"- export: `{summary.export_dir}`",
        f"- started: {summary.started_at}; wall time {summary.wall_s:.1f} s; {summary.workers} worker(s)",
        f"- engine: {summary.engine} {summary.model}; rules {summary.rules_version}",
        f"- audio analysed: {summary.audio_hours:.3f} h ({summary.audio_s:.0f} s), "
        f"real-time factor {summary.realtime_factor:.1f}x", "",
        "| calls | analysed | re-scored | already done | failed | training (not scored) | flagged | bad rows |",
        "|---|---|---|---|---|---|---|---|",
        f"| {c['calls']} | {c['analysed']} | {c['rescored']} | {c['skipped']} | {c['failed']} | {c['training']} "
        f"| {c['flagged']} | {c['export_errors']} |", "",
    ]
    answered = [f"- {kind} calls answered within {r['target_s']:.0f} s: {r['within_target']} of {r['calls']} "
                f"({r['rate']:.0%})" for kind, r in summary.answer_time.items() if r["calls"]]
    if answered:
        lines += ["## Answer times", "", *answered, ""]
    if summary.flagged_calls:
        lines += ["## Flagged calls", "", *[f"- `{call}`" for call in summary.flagged_calls], "",
                  "See `callqa flags` for reasons and evidence times.", ""]
    if summary.errors:
        lines += ["## Problems", "", *[f"- {e}" for e in summary.errors], ""]
    return "\n".join(lines)
