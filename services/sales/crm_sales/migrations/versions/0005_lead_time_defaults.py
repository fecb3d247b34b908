"""leads take their creation times and first version from the database when an insert leaves them out

A lead import stages its rows with COPY, and PostgreSQL parsing three identical timestamps on every
row was a tenth of that COPY's work. The importer now leaves created_at, updated_at,
last_activity_at and version out, and takes its own time from its transaction (``now()``), so the
values are the ones it would have written. Every other insert names them, as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:55:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMES = ("created_at", "updated_at", "last_activity_at")


def _defaults(time: str, version: str) -> None:
    # Only PostgreSQL's import leaves them out; rebuilding SQLite's leads table for nothing is not worth it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE leads " + ", ".join([*(f"ALTER COLUMN {name} {time}" for name in TIMES),
                                                     f"ALTER COLUMN version {version}"]))


def upgrade() -> None:
    _defaults("SET DEFAULT now()", "SET DEFAULT 1")


def downgrade() -> None:
    _defaults("DROP DEFAULT", "DROP DEFAULT")
