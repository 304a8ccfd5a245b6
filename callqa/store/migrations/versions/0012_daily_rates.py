"""Trends over a year (issue 16): `daily_calls` and `daily_indicators`, the current results of
non-training calls counted per UK day, handler and area, kept by triggers.

On 550,000 calls the operators and teams tables grouped 9.5 million indicator rows (13-18 s), and
a trend loaded every indicator row of the range into Python (20-95 s). Counted per UK day the
year is 22,000 call rows and 240,000 indicator rows, and a page sums a few hundred or thousand.
UK days, because the pages count UK days and Monday weeks; SQL computes the day
(callqa.store.triggers.local_day), so every writer keeps the counts without a line of Python.

`current_results` gains copies of the call's handler_id and area and its UK day (`local_day`),
kept as started_at is. Then:
- a row entering `current_results` (a call's first scoring) adds the call and its indicator rows;
- an indicator row of a call's current scoring adds itself (they are written after the scoring);
- a `current_results` row changing scoring (a re-score), UK day, training mark, handler or area
  takes the call out of the counts it was in (with its old scoring's rows) and adds it again.
`last_call` is the newest such call of the day, handler and area; when a call leaves a day it is
looked up again (by `ix_current_results_day`).
The store never deletes calls or scorings; a tool that does must rebuild these tables.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from callqa.store.triggers import create_triggers, differs, drop_triggers, local_day

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_spec = importlib.util.spec_from_file_location("callqa_migration_0011", Path(__file__).with_name("0011_current_results.py"))
m0011 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(m0011)

KEY = "day, handler_id, area"
INDICATOR_INDEXES = {"ix_daily_indicators_handler": ["handler_id", "indicator", "day"],
                     "ix_daily_indicators_area": ["area", "indicator", "day"],
                     "ix_daily_indicators_day": ["day", "indicator"]}
NEWER = "CASE WHEN daily_calls.last_call IS NULL OR excluded.last_call > daily_calls.last_call " \
        "THEN excluded.last_call ELSE daily_calls.last_call END"
ADD_CALLS = (f"ON CONFLICT ({KEY}) DO UPDATE SET calls = daily_calls.calls + excluded.calls, "
             "flagged = daily_calls.flagged + excluded.flagged, scored = daily_calls.scored + excluded.scored, "
             f"score_sum = daily_calls.score_sum + excluded.score_sum, last_call = {NEWER}")
ADD_INDICATORS = (f"ON CONFLICT ({KEY}, indicator) DO UPDATE SET passed = daily_indicators.passed + excluded.passed, "
                  "failed = daily_indicators.failed + excluded.failed, "
                  "applied = daily_indicators.applied + excluded.applied")


def _flagged_scored(scoring: str) -> tuple[str, str]:
    """1 or 0 each: the call of `scoring` (a scorings row) has a flag; it has a score."""
    return (f"CASE WHEN {scoring}.flag_count > 0 THEN 1 ELSE 0 END",
            f"CASE WHEN {scoring}.score IS NULL THEN 0 ELSE 1 END")


def _passed_failed_applied(status: str) -> tuple[str, str, str]:
    """1 or 0 each, for an indicator row whose status is `status`."""
    return (f"CASE WHEN {status} = 'pass' THEN 1 ELSE 0 END", f"CASE WHEN {status} = 'fail' THEN 1 ELSE 0 END",
            f"CASE WHEN {status} = 'not_applicable' THEN 0 ELSE 1 END")


def _count(row: str, sign: int) -> list[str]:
    """Add (sign 1) or take away (-1) the call of `current_results` row `row` (NEW or OLD) and its
    scoring's indicator rows in the day's counts; a training call counts nowhere."""
    s = "" if sign > 0 else "-"
    last = f"{row}.started_at" if sign > 0 else "NULL"
    flagged, scored = _flagged_scored("s")
    passed, failed, applied = (f"{s}sum({value})" for value in _passed_failed_applied("ir.status"))
    return [
        f"INSERT INTO daily_calls ({KEY}, calls, flagged, scored, score_sum, last_call) "
        f"SELECT {row}.local_day, {row}.handler_id, {row}.area, {s}1, {s}({flagged}), {s}({scored}), "
        f"{s}COALESCE(s.score, 0), {last} "
        f"FROM scorings s WHERE s.id = {row}.scoring_id AND {row}.training = false {ADD_CALLS}",
        f"INSERT INTO daily_indicators ({KEY}, indicator, passed, failed, applied) "
        f"SELECT {row}.local_day, {row}.handler_id, {row}.area, ir.indicator, {passed}, {failed}, {applied} "
        f"FROM indicator_results ir WHERE ir.scoring_id = {row}.scoring_id AND {row}.training = false "
        f"GROUP BY ir.indicator {ADD_INDICATORS}",
    ]


def _relook_last_call(row: str) -> str:
    """The newest call still counted on `row`'s day, handler and area (after it left them)."""
    return ("UPDATE daily_calls SET last_call = (SELECT max(cr.started_at) FROM current_results cr "
            f"WHERE cr.local_day = {row}.local_day AND cr.handler_id = {row}.handler_id AND cr.area = {row}.area "
            f"AND cr.training = false) WHERE day = {row}.local_day AND handler_id = {row}.handler_id "
            f"AND area = {row}.area")


def _triggers(dialect: str) -> list:
    copied = {"handler_id": "c.handler_id", "area": "c.area", "local_day": local_day("c.started_at", dialect)}
    moved = " OR ".join(differs(f"OLD.{c}", f"NEW.{c}", dialect)
                        for c in ("scoring_id", "local_day", "training", "handler_id", "area"))
    return [
        ("current_results_scoring", "scorings", "INSERT", None, [m0011._new_row("NEW", copied)]),
        ("current_results_call", "calls", "UPDATE OF started_at, training, handler_id, area", None,
         ["UPDATE current_results SET started_at = NEW.started_at, training = NEW.training, "
          f"handler_id = NEW.handler_id, area = NEW.area, local_day = {local_day('NEW.started_at', dialect)} "
          "WHERE call_id = NEW.call_id"]),
        ("daily_rates_call", "current_results", "INSERT", None, _count("NEW", 1)),
        ("daily_rates_move", "current_results", "UPDATE", moved,
         [*_count("OLD", -1), _relook_last_call("OLD"), *_count("NEW", 1)]),
        ("daily_rates_indicator", "indicator_results", "INSERT", None,
         [f"INSERT INTO daily_indicators ({KEY}, indicator, passed, failed, applied) "
          f"SELECT cr.local_day, cr.handler_id, cr.area, NEW.indicator, {', '.join(_passed_failed_applied('NEW.status'))} "
          f"FROM current_results cr WHERE cr.scoring_id = NEW.scoring_id AND cr.training = false {ADD_INDICATORS}"]),
    ]


def _replaced_0011() -> list:
    return [trigger for trigger in m0011.TRIGGERS if trigger[0] in ("current_results_scoring", "current_results_call")]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    drop_triggers(op, _replaced_0011())
    with op.batch_alter_table("current_results") as batch:
        batch.add_column(sa.Column("handler_id", sa.String(255)))
        batch.add_column(sa.Column("area", sa.String(255)))
        batch.add_column(sa.Column("local_day", sa.Date))
    op.execute("UPDATE current_results SET "
               "handler_id = (SELECT c.handler_id FROM calls c WHERE c.call_id = current_results.call_id), "
               "area = (SELECT c.area FROM calls c WHERE c.call_id = current_results.call_id), "
               f"local_day = {local_day('started_at', dialect)}")
    op.create_index("ix_current_results_day", "current_results",
                    ["local_day", "handler_id", "area", "training", "started_at"])
    op.create_index("ix_flag_decisions_call", "flag_decisions", ["call_id"])   # a queue page's decisions
    for column in ("handler_id", "area"):   # the queue of one handler or area, read in queue order
        op.create_index(f"ix_current_results_queue_{column}", "current_results",
                        ["training", column, "unqueued", "priority_key", "findings_key", "worst_open",
                         sa.text("open_findings DESC"), sa.text("open_checks DESC"), sa.text("started_at DESC"),
                         "call_id"])
    op.create_table(
        "daily_calls",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("handler_id", sa.String(255), primary_key=True),
        sa.Column("area", sa.String(255), primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("scored", sa.Integer, nullable=False),
        sa.Column("score_sum", sa.Float, nullable=False),
        sa.Column("last_call", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "daily_indicators",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("handler_id", sa.String(255), primary_key=True),
        sa.Column("area", sa.String(255), primary_key=True),
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
    )
    op.create_index("ix_daily_calls_handler", "daily_calls", ["handler_id", "day"])
    op.create_index("ix_daily_calls_area", "daily_calls", ["area", "day"])
    # Covering indexes in the order the pages group by: a year's table or trend reads one of them
    # alone, in order, never the table and never a sort (240,000 rows a year).
    counts = ["passed", "failed", "applied"]
    for name, lead in INDICATOR_INDEXES.items():
        op.create_index(name, "daily_indicators", [*lead, *counts])
    # What a store holds already, counted once; the triggers keep the counts from here on.
    flagged, scored = (f"sum({value})" for value in _flagged_scored("s"))
    op.execute(f"INSERT INTO daily_calls ({KEY}, calls, flagged, scored, score_sum, last_call) "
               f"SELECT cr.local_day, cr.handler_id, cr.area, count(*), {flagged}, {scored}, "
               "COALESCE(sum(s.score), 0), max(cr.started_at) "
               "FROM current_results cr JOIN scorings s ON s.id = cr.scoring_id WHERE cr.training = false "
               "GROUP BY cr.local_day, cr.handler_id, cr.area")
    counted = ", ".join(f"sum({value})" for value in _passed_failed_applied("ir.status"))
    op.execute(f"INSERT INTO daily_indicators ({KEY}, indicator, passed, failed, applied) "
               f"SELECT cr.local_day, cr.handler_id, cr.area, ir.indicator, {counted} "
               "FROM current_results cr JOIN indicator_results ir ON ir.scoring_id = cr.scoring_id "
               "WHERE cr.training = false GROUP BY cr.local_day, cr.handler_id, cr.area, ir.indicator")
    create_triggers(op, _triggers(dialect))


def downgrade() -> None:
    drop_triggers(op, _triggers(op.get_bind().dialect.name))
    drop_triggers(op, m0011.TRIGGERS)   # SQLite rebuilds current_results below: no trigger may name it
    for table in ("daily_indicators", "daily_calls"):
        op.drop_table(table)
    for name in ("ix_current_results_queue_area", "ix_current_results_queue_handler_id", "ix_current_results_day"):
        op.drop_index(name, table_name="current_results")
    op.drop_index("ix_flag_decisions_call", table_name="flag_decisions")
    with op.batch_alter_table("current_results") as batch:
        for column in ("local_day", "area", "handler_id"):
            batch.drop_column(column)
    create_triggers(op, m0011.TRIGGERS)
