"""identifier and key columns of leads and the dedupe keys compared byte by byte

A lead import inserts into every index of leads, and with the database's collation (C.UTF-8 here,
a language's elsewhere) each comparison went through strcoll: 5-10 % of the COPY's database work. Ids, name keys, E.164 phones, e-mails and statuses need equality and a stable order, not a
language's, so they take COLLATE "C" (``KeyString``); so do the keys of accounts and contacts the
import compares them with, so those joins can still use either side's index. Equality is unchanged,
and so is order (code point order either way).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 01:40:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "leads": {"id": 36, "name_key": 200, "phone": 20, "fax": 20, "email": 254, "owner_id": 36, "status": 20,
              "region": 50, "import_id": 36},
    "account_view": {"name_key": 200},
    "party_keys": {"key": 200},
}


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares bytes already
    for table, columns in COLUMNS.items():
        changes = ", ".join(f'ALTER COLUMN {name} TYPE varchar({length}) COLLATE "{collation}"'
                            for name, length in columns.items())
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
