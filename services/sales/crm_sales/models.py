"""Sales service tables. Leads, opportunities and quotes arrive with the sales issue; for now the
account read model the sales side needs for visibility and conversion dedupe."""

from __future__ import annotations

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)


class AccountView(AccountViewMixin, Base):
    pass
