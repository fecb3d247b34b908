"""an upload's chunks may be stored zlib-compressed, as the gateway now sends them

CSV shrinks about five times; the gateway compresses each chunk when that makes it smaller, and the
chunk is stored as it arrives, with this flag, and inflated by the importer. Existing rows (chunks of
an upload in progress during the upgrade) are plain.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 04:25:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lead_import_chunks", sa.Column("compressed", sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("lead_import_chunks", "compressed")
