"""Handler voice samples for voiceprints (issue 12): one mean speaker embedding per stereo call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_samples",
        sa.Column("call_id", sa.String(128), sa.ForeignKey("calls.call_id"), primary_key=True),
        sa.Column("handler_id", sa.String(255), nullable=False),
        sa.Column("encoder", sa.String(64), nullable=False),
        sa.Column("vector", sa.Text, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_voice_samples_handler", "voice_samples", ["handler_id"])


def downgrade() -> None:
    op.drop_index("ix_voice_samples_handler", table_name="voice_samples")
    op.drop_table("voice_samples")
