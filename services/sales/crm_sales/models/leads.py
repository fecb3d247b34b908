"""Leads, their conversion record, and import jobs with their uploaded chunks and per-row fates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_contracts.chassis.types import KeyString, UtcDateTime, UuidKey, UuidString, utcnow
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id

LEAD_TEXT_FIELDS = ("company", "contact_name", "title", "phone", "fax", "email", "website", "country", "city",
                    "address", "industry", "source", "source_detail", "agent_name", "origin", "destination",
                    "mode", "notes", "region")


def _where_present(name: str, *columns: str) -> Index:
    """An index of the rows where ``columns[0]`` is set: most leads have no fax or owner, many no phone
    or e-mail, and every index entry costs an import's insert; lookups by value never want the nulls."""
    where = text(f"{columns[0]} IS NOT NULL")
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_status_region", "status", "region"),
                      _where_present("ix_leads_phone", "phone"), _where_present("ix_leads_fax", "fax"),
                      _where_present("ix_leads_email", "email"), _where_present("ix_leads_owner_id", "owner_id"),
                      # An import's leads in file order: its row report and its events read them so.
                      _where_present("ix_leads_import_id_row", "import_id", "import_row"))

    id: Mapped[str] = mapped_column(UuidKey, primary_key=True, default=new_id)
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(KeyString(20))  # E.164
    fax: Mapped[str | None] = mapped_column(KeyString(20))  # E.164
    email: Mapped[str | None] = mapped_column(KeyString(254))  # normalised
    website: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(500))
    industry: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    source_detail: Mapped[str | None] = mapped_column(String(200))
    agent_name: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(5))
    destination: Mapped[str | None] = mapped_column(String(5))
    mode: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(KeyString(50))
    name_key: Mapped[str] = mapped_column(KeyString(200), index=True)
    grade: Mapped[str] = mapped_column(String(1))
    score: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(KeyString(20))
    owner_id: Mapped[str | None] = mapped_column(KeyString(36))
    team: Mapped[str | None] = mapped_column(String(50))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    previous_owner_id: Mapped[str | None] = mapped_column(String(36))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    account_id: Mapped[str | None] = mapped_column(String(36))
    contact_id: Mapped[str | None] = mapped_column(String(36))
    opportunity_id: Mapped[str | None] = mapped_column(String(36))
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    import_id: Mapped[str | None] = mapped_column(KeyString(36))
    import_row: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(36))
    # The database's defaults serve the import's COPY (``importstage.DEFAULTED``); the ORM names them.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, server_default=func.now(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class LeadConversion(Base):
    """Progress of one conversion across services, so a retry resumes instead of duplicating."""

    __tablename__ = "lead_conversions"

    lead_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # pending | done
    previous_status: Mapped[str] = mapped_column(String(20))
    customer_code: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(36))
    account_created: Mapped[bool] = mapped_column(default=False)
    contact_id: Mapped[str | None] = mapped_column(String(36))
    opportunity_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LeadImport(Base):
    __tablename__ = "lead_imports"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=new_id)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_bytes: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[dict[str, Any]] = mapped_column(JSON)  # the uploader's identity, who the rows act as
    total_rows: Mapped[int | None] = mapped_column(Integer)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(36), index=True)
    region: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ImportChunk(Base):
    __tablename__ = "lead_import_chunks"

    import_id: Mapped[str] = mapped_column(ForeignKey("lead_imports.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    compressed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # zlib


class ImportRow(Base):
    """What became of one row of an import that created no lead; a created row's line is its lead
    (``Lead.import_id`` and ``import_row``), read by ``imports.rows``."""

    __tablename__ = "lead_import_rows"

    import_id: Mapped[str] = mapped_column(ForeignKey("lead_imports.id", ondelete="CASCADE"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    fate: Mapped[str] = mapped_column(String(10))
    lead_id: Mapped[str | None] = mapped_column(String(36))
    company: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    duplicate_of: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    matched_on: Mapped[list[str] | None] = mapped_column(JSON)
    errors: Mapped[dict[str, Any] | None] = mapped_column(JSON)
