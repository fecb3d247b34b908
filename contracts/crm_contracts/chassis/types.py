"""Column types every service uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, TypeDecorator


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone; PostgreSQL uses timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(timezone.utc)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UuidString(TypeDecorator):
    """UUIDs stored as 36-character strings: portable, readable, and what the API exposes."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(uuid.UUID(str(value)))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return value


class KeyString(TypeDecorator):
    """Text that is an identifier or a normalised key (a name key, an E.164 phone, an e-mail, a
    status), compared byte by byte on PostgreSQL: ``COLLATE "C"``. A locale's collation (C.UTF-8
    too, before PostgreSQL 17) compares through strcoll and keeps B-tree keys unabbreviated, which cost
    a lead import's COPY into the indexes on such columns 5-10 % more database CPU. Equality is the
    same either way, and so is order for ASCII, and for UTF-8 against C.UTF-8's code point order."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return _bytewise(dialect, self.impl.length)


class UuidKey(UuidString):
    """A ``UuidString`` compared byte by byte on PostgreSQL, as ``KeyString`` is."""

    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return _bytewise(dialect, 36)


def _bytewise(dialect: Any, length: int | None) -> Any:
    return dialect.type_descriptor(String(length, collation="C" if dialect.name == "postgresql" else None))


def utcnow() -> datetime:
    return datetime.now(UTC)
