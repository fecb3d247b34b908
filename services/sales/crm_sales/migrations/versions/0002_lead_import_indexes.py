"""lead imports: partial indexes on leads, and created rows reported from their leads

Leads' phone, fax, e-mail and owner indexes hold only the rows that have a value (lookups are by
value; most leads have no fax or owner), and the import index becomes (import_id, import_row), the
order an import's report and events read its leads in. A created row's line of an import report is
now read from its lead, so the copies in lead_import_rows go (downgrade writes them back). Uploaded
chunks live minutes and are read once: PostgreSQL stores them uncompressed, which halves the cost of
writing one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRESENT = (("ix_leads_phone", ("phone",)), ("ix_leads_fax", ("fax",)), ("ix_leads_email", ("email",)),
           ("ix_leads_owner_id", ("owner_id",)))


def _where(column: str) -> dict[str, sa.TextClause]:
    where = sa.text(f"{column} IS NOT NULL")
    return {"postgresql_where": where, "sqlite_where": where}


def upgrade() -> None:
    for name, columns in PRESENT:
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", list(columns), unique=False, **_where(columns[0]))
    op.drop_index("ix_leads_import_id", table_name="leads")
    op.create_index("ix_leads_import_id_row", "leads", ["import_id", "import_row"], unique=False,
                    **_where("import_id"))
    op.execute("DELETE FROM lead_import_rows WHERE fate = 'created'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE lead_import_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE lead_import_chunks ALTER COLUMN data SET STORAGE EXTENDED")
    json = "CAST({} AS json)" if op.get_bind().dialect.name == "postgresql" else "{}"
    op.execute(f"""INSERT INTO lead_import_rows (import_id, "row", fate, company, lead_id, reason, duplicate_of,
                                               matched_on, errors)
                   SELECT l.import_id, l.import_row, 'created', l.company, l.id, NULL, NULL,
                          {json.format("'[]'")}, {json.format("'{}'")}
                     FROM leads l JOIN lead_imports j ON j.id = l.import_id""")
    op.drop_index("ix_leads_import_id_row", table_name="leads")
    op.create_index("ix_leads_import_id", "leads", ["import_id"], unique=False)
    for name, columns in PRESENT:
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", list(columns), unique=False)
