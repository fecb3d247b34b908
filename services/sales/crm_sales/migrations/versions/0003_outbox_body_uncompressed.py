"""outbox bodies stored uncompressed

A lead import announces its leads in lead.imported events of 2,000 leads, 130 kB each; PostgreSQL
compresses every body over 2 kB on the way in and out, which cost a 100,000-row import 0.1 s of its
2.3 s. Outbox rows live until the relay has sent them, so the disk they take is short-lived.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:10:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox ALTER COLUMN body SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox ALTER COLUMN body SET STORAGE EXTENDED")
