"""Operators in the loop (issue 15): a handler id on users, and operators' answers to findings
(acknowledged or disputed) with QA leads' resolutions of disputes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("handler_id", sa.String(255)))
    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag_id", sa.Integer, sa.ForeignKey("flags.id"), nullable=False, unique=True),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("handler_id", sa.String(255), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("response", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("responded_by", sa.String(128), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(16)),
        sa.Column("resolution_note", sa.Text),
        sa.Column("resolved_by", sa.String(128)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_feedback_responses_handler", "feedback_responses", ["handler_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_responses_handler", table_name="feedback_responses")
    op.drop_table("feedback_responses")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("handler_id")
