"""Customer service tables: accounts and what hangs off them, plus the chassis' outbox, inbox and audit log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from crm_contracts.chassis.types import UtcDateTime, UuidString, utcnow
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)
MONEY = Numeric(18, 2)


def new_id() -> str:
    return str(uuid.uuid4())


class AccountTag(Base):
    __tablename__ = "account_tags"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_account_tags_tag", "tag", "account_id"),)


class AccountLine(Base):
    """A business line the customer buys (sea_fcl, air, ...), one row each so filters use an index."""

    __tablename__ = "account_lines"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    line: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (Index("ix_account_lines_line", "line", "account_id"),)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=new_id)
    customer_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised for duplicate control
    tax_id: Mapped[str | None] = mapped_column(String(32), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), index=True)
    tier: Mapped[str] = mapped_column(String(10), default="C")
    owner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    team: Mapped[str | None] = mapped_column(String(50), index=True)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    website: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    merged_into_id: Mapped[str | None] = mapped_column(String(36), index=True)
    review_decision: Mapped[str | None] = mapped_column(String(10))
    review_reason: Mapped[str | None] = mapped_column(String(1000))
    reviewed_by: Mapped[str | None] = mapped_column(String(36))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)

    tag_rows: Mapped[list[AccountTag]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                      order_by=AccountTag.tag)
    line_rows: Mapped[list[AccountLine]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                        order_by=AccountLine.line)
    tags: AssociationProxy[list[str]] = association_proxy("tag_rows", "tag",
                                                          creator=lambda tag: AccountTag(tag=tag))
    business_lines: AssociationProxy[list[str]] = association_proxy("line_rows", "line",
                                                                    creator=lambda line: AccountLine(line=line))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The common list: a region's accounts in one status, newest changes first.
        Index("ix_accounts_region_status_updated", "region", "status", "updated_at"),
        # Near-duplicate names on PostgreSQL (pg_trgm, created by the migration); a plain index elsewhere.
        Index("ix_accounts_name_key_trgm", "name_key", postgresql_using="gin",
              postgresql_ops={"name_key": "gin_trgm_ops"}),
        # GIN answers ``?q=`` (LIKE); GiST answers the similarity filter of the duplicate check faster.
        Index("ix_accounts_name_key_gist", "name_key", postgresql_using="gist",
              postgresql_ops={"name_key": "gist_trgm_ops"}),
    )


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    phones: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{number (E.164), kind}]
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    im_handle: Mapped[dict[str, str] | None] = mapped_column(JSON)
    birthday: Mapped[date | None] = mapped_column(Date)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    opt_outs: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ContactKey(Base):
    """A contact's phones, e-mails and roles, one row each: indexed for duplicate checks and filters."""

    __tablename__ = "contact_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # phone | email | role
    value: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_contact_keys_value", "kind", "value"),)


class Relationship(Base):
    """"``related_account`` is the ``type`` of ``account``"; deleted links stay for the audit trail."""

    __tablename__ = "relationships"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    related_account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_relationships_live", "account_id", "related_account_id", "type", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
    )


class Credit(Base):
    """Credit terms and the running balance of one account (in the limit's currency)."""

    __tablename__ = "credit"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    credit_limit: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(String(500))
    receivables: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    over_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class FxRate(Base):
    """What one unit of a currency is worth in the base currency (``fx.BASE``), set by finance: receivables
    in several currencies are summed in the limit's currency with these."""

    __tablename__ = "fx_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Invoice(Base):
    """An invoice the TMS/ERP issued; the newest event about one number wins."""

    __tablename__ = "invoices"

    invoice_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)  # None until the code is known
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    event_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Payment(Base):
    """A payment received; one per event, so it counts once whichever order events arrive in."""

    __tablename__ = "payments"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(64), index=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    event_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
