"""Panel pack keys: each pack's pseudonyms for its calls, mapped back to the call ids on import.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panel_packs",
        sa.Column("pack_id", sa.String(64), primary_key=True),
        sa.Column("draw_id", sa.Integer, sa.ForeignKey("panel_draws.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pseudonyms", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("panel_packs")
