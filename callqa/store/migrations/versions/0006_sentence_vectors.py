"""Sentence vectors stored with each transcription, so re-scoring never runs a neural model;
confidence on indicator results and flags, and `needs_review` flags (issue 11).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcriptions") as batch:
        batch.add_column(sa.Column("vectors", sa.JSON))
    with op.batch_alter_table("indicator_results") as batch:
        batch.add_column(sa.Column("confidence", sa.Float))
    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("confidence", sa.Float))
        batch.add_column(sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("flags") as batch:
        batch.drop_column("needs_review")
        batch.drop_column("confidence")
    with op.batch_alter_table("indicator_results") as batch:
        batch.drop_column("confidence")
    with op.batch_alter_table("transcriptions") as batch:
        batch.drop_column("vectors")
