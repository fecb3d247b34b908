"""Notify tables: the user directory (from the gateway's user events), the account read model (from the
customer service's account events, for owners) and the in-app inbox."""

from __future__ import annotations

import uuid
from datetime import datetime

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from crm_contracts.chassis.types import UtcDateTime, UuidString, utcnow
from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)


class Recipient(Base):
    """A user as notify knows them: where and whether to reach them."""

    __tablename__ = "recipients"

    user_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(50))
    team: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(10))  # None: write in the default language
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA; None: give times in UTC
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AccountView(AccountViewMixin, Base):
    """Accounts as notify needs them: whose owner hears of what happens to the customer."""

    # Set by account.merged (or a snapshot saying so): alerts for this account go to that survivor's owner,
    # and no later snapshot of it brings it back.
    merged_into: Mapped[str | None] = mapped_column(String(36), index=True)


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=lambda: str(uuid.uuid4()))
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    source_event_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
