"""Read models of other services' data (accounts, contacts, credit, users) and sales configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.types import KeyString, UtcDateTime, UuidString
from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AccountView(AccountViewMixin, Base):
    # Normalised name, so imports and lead creation can skip prospects that are already customers.
    name_key: Mapped[str | None] = mapped_column(KeyString(200), index=True)
    merged_into: Mapped[str | None] = mapped_column(String(36))


class ContactView(Base):
    """Contacts as the customer service publishes them: for caller-ID and duplicate control."""

    __tablename__ = "contact_view"

    contact_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)  # E.164
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class PartyKey(Base):
    """One normalised phone or e-mail of a contact, indexed for lookups by number."""

    __tablename__ = "party_keys"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # phone | email
    key: Mapped[str] = mapped_column(KeyString(200), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)


class AccountCredit(Base):
    __tablename__ = "account_credit"

    account_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    over_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    utilisation: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserView(Base):
    """Users as the gateway publishes them: who may receive leads, in which region and team."""

    __tablename__ = "user_view"

    user_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30), index=True)
    region: Mapped[str | None] = mapped_column(String(50), index=True)
    team: Mapped[str | None] = mapped_column(String(50), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)  # occurred_at of the event applied last


class RepLoad(Base):
    """How many open leads a rep holds: the claim limit and load-balanced assignment read it, and
    a conditional increment makes two concurrent claims by one rep unable to pass the limit."""

    __tablename__ = "rep_load"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    open_leads: Mapped[int] = mapped_column(Integer, default=0)


class AssignmentCursor(Base):
    """Round-robin position of each assignment rule."""

    __tablename__ = "assignment_cursor"

    rule: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_user_id: Mapped[str | None] = mapped_column(String(36))


class SalesSetting(Base):
    __tablename__ = "sales_settings"

    section: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(36))
