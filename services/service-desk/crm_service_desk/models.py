"""Service desk tables. Tickets, SLA and KB arrive with the service-desk issue; for now the shipment
projection of TMS events and the account read model that links and scopes it."""

from __future__ import annotations

import uuid
from datetime import datetime

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from crm_contracts.chassis.types import UtcDateTime, UuidString
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)


class AccountView(AccountViewMixin, Base):
    pass


class Shipment(Base):
    __tablename__ = "shipments"

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)  # linked once the account is known
    mode: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str | None] = mapped_column(String(5))
    destination: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str | None] = mapped_column(String(30), index=True)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    eta: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_location: Mapped[str | None] = mapped_column(String(5))
    booked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    open_exceptions: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Milestone(Base):
    __tablename__ = "shipment_milestones"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=lambda: str(uuid.uuid4()))
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # booked | status | exception
    status: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(5))
    description: Mapped[str | None] = mapped_column(String(2000))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
