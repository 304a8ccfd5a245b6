"""Speaker attribution of each transcription (stereo channels or mono diarization).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcriptions") as batch:
        batch.add_column(sa.Column("attribution", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("transcriptions") as batch:
        batch.drop_column("attribution")
