"""One word for the channel layout (issue 14): the calls table's `channels` column is `layout`,
as the export column, the `CallRecord` field and the command line already call it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.alter_column("channels", new_column_name="layout")


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.alter_column("layout", new_column_name="channels")
