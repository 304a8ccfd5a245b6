"""Panel sample draws: who asked, when, the filters, the seed and the calls drawn.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panel_draws",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("panel", sa.String(128), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("calls", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("panel_draws")
