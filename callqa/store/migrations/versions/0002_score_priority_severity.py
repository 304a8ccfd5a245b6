"""Call-level score and review priority on scorings; severity on flags; indicator metrics.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scorings") as batch:
        batch.add_column(sa.Column("score", sa.Float))
        batch.add_column(sa.Column("review_priority", sa.String(8)))
    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("severity", sa.String(8)))
    with op.batch_alter_table("indicator_results") as batch:
        batch.add_column(sa.Column("metrics", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("indicator_results") as batch:
        batch.drop_column("metrics")
    with op.batch_alter_table("flags") as batch:
        batch.drop_column("severity")
    with op.batch_alter_table("scorings") as batch:
        batch.drop_column("review_priority")
        batch.drop_column("score")
