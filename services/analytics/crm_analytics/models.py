"""Analytics facts, fed by events only."""

from __future__ import annotations

from datetime import datetime

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from crm_contracts.chassis.types import UtcDateTime
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)


class CustomerFact(AccountViewMixin, Base):
    """One row per customer as analytics first saw and last heard of it."""

    __tablename__ = "customer_facts"

    # Set by account.merged (or a snapshot saying so): this customer's figures, and the shipments booked
    # under its code, count for that survivor, and no later snapshot of it brings it back.
    merged_into: Mapped[str | None] = mapped_column(String(36), index=True)


class ShipmentFact(Base):
    __tablename__ = "shipment_facts"

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    lane: Mapped[str] = mapped_column(String(20), index=True)  # ORIGIN-DESTINATION UN/LOCODEs
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
