"""Audit log, panel answers, web accounts, panel assignments and QA decisions on flags.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(128)),
        sa.Column("details", sa.JSON),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "panel_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draw_id", sa.Integer, sa.ForeignKey("panel_draws.id"), nullable=False),
        sa.Column("member", sa.String(128), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("questionnaire", sa.String(128), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("draw_id", "member", "call_id", "question_id", name="uq_panel_answer"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "panel_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("draw_id", sa.Integer, sa.ForeignKey("panel_draws.id"), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "draw_id", name="uq_panel_assignment"),
    )
    op.create_table(
        "flag_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag_id", sa.Integer, sa.ForeignKey("flags.id"), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_flag_decisions_flag", "flag_decisions", ["flag_id"])


def downgrade() -> None:
    for table in ("flag_decisions", "panel_assignments", "users", "panel_answers", "audit_log"):
        op.drop_table(table)
