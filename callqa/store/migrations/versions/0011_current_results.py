"""A year in the store (issue 16): `current_results`, one row per scored call naming its current
(newest) scoring and, for the review queue, its open flags counted and ranked, kept by triggers.

On 550,000 calls every page that asked "which scoring is current" grouped all 870,000 scorings
(0.4-1.4 s each time), and the queue then grouped 225,000 current flags and their decisions per
call before it could show 50 (4-6 s). This table answers both by index: the current scoring of a
call by its primary key, the queue's page by `ix_current_results_queue` in the queue's own order.

Triggers keep it, so every writer (analysis, re-scoring, decisions, a re-export changing a call's
time or training mark, bulk loads) keeps it without a line of Python:
- a new scoring that is the call's newest replaces the row (its flags not yet counted);
- a flag of the current scoring, and a confirm/dismiss decision on any flag, recount the call's
  open findings (flags callqa is sure of) and checks (`needs_review` ones), and their worst
  severity rank (SEVERITIES order, high first; no severity ranks after low; none open: 99);
- a call's started_at and training are copied when they change.
The store never deletes scorings, flags or decisions; a tool that does must recount.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from callqa.store.triggers import create_triggers, drop_triggers

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NO_SEVERITY = 99
RANK = ("CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END")
OPEN = ("NOT EXISTS (SELECT 1 FROM flag_decisions d WHERE d.flag_id = f.id "
        "AND d.decision IN ('confirm', 'dismiss'))")
OF_CALL = "f.scoring_id = current_results.scoring_id"


def _recount(where: str) -> list[str]:
    """The statements that recount the open flags of the rows `where` picks (two: the second
    reads the counts the first wrote)."""
    def flags(what: str, sure: str | None) -> str:
        kind = "" if sure is None else f" AND f.needs_review = {sure}"
        return f"(SELECT {what} FROM flags f WHERE {OF_CALL}{kind} AND {OPEN})"

    return [
        f"UPDATE current_results SET "
        f"open_findings = {flags('count(*)', 'false')}, open_checks = {flags('count(*)', 'true')}, "
        f"worst_finding = COALESCE({flags(f'min({RANK})', 'false')}, {NO_SEVERITY}), "
        f"worst_any = COALESCE({flags(f'min({RANK})', None)}, {NO_SEVERITY}) WHERE {where}",
        f"UPDATE current_results SET open_flags = open_findings + open_checks, "
        f"unqueued = CASE WHEN open_findings + open_checks > 0 THEN 0 ELSE 1 END, "
        f"findings_key = CASE WHEN open_findings > 0 THEN 0 ELSE 1 END, "
        f"worst_open = CASE WHEN open_findings > 0 THEN worst_finding ELSE worst_any END WHERE {where}",
    ]


def _new_row(scoring: str, copied: dict[str, str] | None = None) -> str:
    """Insert or replace the call's row with scoring `scoring` (a newer one only), nothing counted.
    `copied`: more columns copied from the call (name: SQL over `calls c`; migration 0012's)."""
    copied = copied or {}
    names = "".join(f", {name}" for name in copied)
    values = "".join(f", {value}" for value in copied.values())
    updates = "".join(f", {name} = excluded.{name}" for name in copied)
    return (
        "INSERT INTO current_results (call_id, scoring_id, started_at, training, priority_key, open_findings, "
        f"open_checks, open_flags, worst_finding, worst_any, unqueued, findings_key, worst_open{names}) "
        f"SELECT c.call_id, {scoring}.id, c.started_at, c.training, "
        f"CASE WHEN {scoring}.review_priority = 'high' THEN 0 ELSE 1 END, 0, 0, 0, {NO_SEVERITY}, {NO_SEVERITY}, "
        f"1, 1, {NO_SEVERITY}{values} FROM calls c WHERE c.call_id = {scoring}.call_id "
        "ON CONFLICT (call_id) DO UPDATE SET scoring_id = excluded.scoring_id, started_at = excluded.started_at, "
        "training = excluded.training, priority_key = excluded.priority_key, open_findings = 0, open_checks = 0, "
        f"open_flags = 0, worst_finding = {NO_SEVERITY}, worst_any = {NO_SEVERITY}, unqueued = 1, findings_key = 1, "
        f"worst_open = {NO_SEVERITY}{updates} WHERE excluded.scoring_id > current_results.scoring_id")


# (name, table, event, condition or None, statements); NEW is the row the trigger fired for.
TRIGGERS = [
    ("current_results_scoring", "scorings", "INSERT", None, [_new_row("NEW")]),
    ("current_results_flag", "flags", "INSERT", None,
     _recount("call_id = NEW.call_id AND scoring_id = NEW.scoring_id")),
    ("current_results_decision", "flag_decisions", "INSERT", "NEW.decision IN ('confirm', 'dismiss')",
     _recount("call_id = NEW.call_id")),
    ("current_results_call", "calls", "UPDATE OF started_at, training", None,
     ["UPDATE current_results SET started_at = NEW.started_at, training = NEW.training "
      "WHERE call_id = NEW.call_id"]),
]


def upgrade() -> None:
    op.create_table(
        "current_results",
        sa.Column("call_id", sa.String(128), sa.ForeignKey("calls.call_id"), primary_key=True),
        sa.Column("scoring_id", sa.Integer, sa.ForeignKey("scorings.id"), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("training", sa.Boolean, nullable=False),
        sa.Column("priority_key", sa.Integer, nullable=False),
        sa.Column("open_findings", sa.Integer, nullable=False),
        sa.Column("open_checks", sa.Integer, nullable=False),
        sa.Column("open_flags", sa.Integer, nullable=False),
        sa.Column("worst_finding", sa.Integer, nullable=False),
        sa.Column("worst_any", sa.Integer, nullable=False),
        sa.Column("unqueued", sa.Integer, nullable=False),
        sa.Column("findings_key", sa.Integer, nullable=False),
        sa.Column("worst_open", sa.Integer, nullable=False),
    )
    op.create_index("ix_current_results_queue", "current_results",
                    ["training", "unqueued", "priority_key", "findings_key", "worst_open", sa.text("open_findings DESC"),
                     sa.text("open_checks DESC"), sa.text("started_at DESC"), "call_id"])
    # The stores' own reads: a call's decisions and flags by call, calls by handler or area over time.
    op.create_index("ix_flags_call", "flags", ["call_id"])
    op.create_index("ix_calls_handler_started", "calls", ["handler_id", "started_at"])
    op.create_index("ix_calls_area_started", "calls", ["area", "started_at"])
    # Existing results: each call's newest scoring, then its open flags counted.
    op.execute(
        "INSERT INTO current_results (call_id, scoring_id, started_at, training, priority_key, open_findings, "
        "open_checks, open_flags, worst_finding, worst_any, unqueued, findings_key, worst_open) "
        "SELECT c.call_id, s.id, c.started_at, c.training, CASE WHEN s.review_priority = 'high' THEN 0 ELSE 1 END, "
        f"0, 0, 0, {NO_SEVERITY}, {NO_SEVERITY}, 1, 1, {NO_SEVERITY} FROM scorings s "
        "JOIN (SELECT call_id, max(id) AS id FROM scorings GROUP BY call_id) newest ON newest.id = s.id "
        "JOIN calls c ON c.call_id = s.call_id")
    for statement in _recount("open_flags = 0"):
        op.execute(statement)
    create_triggers(op, TRIGGERS)


def downgrade() -> None:
    drop_triggers(op, TRIGGERS)
    for name, table in (("ix_calls_area_started", "calls"), ("ix_calls_handler_started", "calls"),
                        ("ix_flags_call", "flags"), ("ix_current_results_queue", "current_results")):
        op.drop_index(name, table_name=table)
    op.drop_table("current_results")
