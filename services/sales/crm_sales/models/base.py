"""The declarative base, the chassis tables (outbox, inbox, audit) and column helpers."""

from __future__ import annotations

import uuid

from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from sqlalchemy import Numeric
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)
MONEY = Numeric(18, 2)
QUANTITY = Numeric(18, 3)


def new_id() -> str:
    return str(uuid.uuid4())
