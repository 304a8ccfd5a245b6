"""Initial store: runs, calls, transcriptions, scorings, indicator results, flags, errors.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("export_dir", sa.Text, nullable=False),
        sa.Column("reader", sa.String(64)),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("rules_version", sa.String(128), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON),
    )
    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(128), primary_key=True),
        sa.Column("audio_path", sa.Text, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("call_type", sa.String(8), nullable=False),
        sa.Column("area", sa.String(255), nullable=False),
        sa.Column("handler_id", sa.String(255), nullable=False),
        sa.Column("channels", sa.String(32), nullable=False),
        sa.Column("answer_delay_s", sa.Float),
        sa.Column("training", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("extra", sa.JSON),
        sa.Column("first_run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.create_index("ix_calls_area", "calls", ["area"])
    op.create_index("ix_calls_handler", "calls", ["handler_id"])
    op.create_table(
        "transcriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.String(128), sa.ForeignKey("calls.call_id"), nullable=False),
        sa.Column("audio_sha256", sa.String(64), nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("layout", sa.String(16), nullable=False),
        sa.Column("channel_layout", sa.String(32), nullable=False),
        sa.Column("transcript", sa.JSON, nullable=False),
        sa.Column("speech", sa.JSON, nullable=False),
        sa.Column("audio", sa.JSON),
        sa.Column("stats", sa.JSON),
        sa.Column("worker", sa.String(255)),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("call_id", "audio_sha256", "engine", "model", name="uq_transcription"),
    )
    op.create_table(
        "scorings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transcription_id", sa.Integer, sa.ForeignKey("transcriptions.id"), nullable=False),
        sa.Column("call_id", sa.String(128), sa.ForeignKey("calls.call_id"), nullable=False),
        sa.Column("rules_version", sa.String(128), nullable=False),
        sa.Column("silences", sa.JSON, nullable=False),
        sa.Column("flag_count", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("transcription_id", "rules_version", name="uq_scoring"),
    )
    op.create_index("ix_scorings_call", "scorings", ["call_id"])
    op.create_table(
        "indicator_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scoring_id", sa.Integer, sa.ForeignKey("scorings.id"), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_indicator_results_scoring", "indicator_results", ["scoring_id"])
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scoring_id", sa.Integer, sa.ForeignKey("scorings.id"), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("evidence_s", sa.JSON),
    )
    op.create_index("ix_flags_scoring", "flags", ["scoring_id"])
    op.create_table(
        "errors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("call_id", sa.String(128)),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_errors_run", "errors", ["run_id"])


def downgrade() -> None:
    for table in ("errors", "flags", "indicator_results", "scorings", "transcriptions", "calls", "runs"):
        op.drop_table(table)
