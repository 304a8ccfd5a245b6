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


# A plain RENAME COLUMN (SQLite 3.25+, PostgreSQL): batch mode would copy the calls table, and
# with the store's foreign keys on, dropping the old copy fails on every store that holds calls.


def upgrade() -> None:
    op.execute("ALTER TABLE calls RENAME COLUMN channels TO layout")


def downgrade() -> None:
    op.execute("ALTER TABLE calls RENAME COLUMN layout TO channels")
