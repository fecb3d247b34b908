"""Service desk tables: tickets with their SLA clock, comments and breach records; skill groups and
the agent directory (from the gateway's user events); SLA policies; knowledge base; surveys; the
shipment projection of TMS events, the account read model that links and scopes everything and the
contact read model that checks a ticket's contact."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from crm_contracts.chassis.account_view import AccountViewMixin
from crm_contracts.chassis.audit import add_audit_table
from crm_contracts.chassis.outbox import add_outbox_tables
from crm_contracts.chassis.types import UtcDateTime, UuidString, utcnow
from crm_contracts.errors import Conflict, ValidationFailed
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, query_expression, relationship


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)
AUDIT = add_audit_table(Base.metadata)
OPEN_STATUSES = ("new", "open", "pending")
ROOT_CAUSE_REQUIRED = ("complaint", "claim")
GROUPLESS = ("group_id IS NULL AND assignee_id IS NULL AND status IN ("
             + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")")


def _uuid() -> str:
    return str(uuid.uuid4())


class AccountView(AccountViewMixin, Base):
    # Set by account.merged (or a snapshot saying so): this account's id and customer code now stand for
    # that survivor, and no later snapshot of it brings it back.
    merged_into: Mapped[str | None] = mapped_column(String(36), index=True)

    # The timer looks again at accounts synced in the last minutes (accounts.link_stragglers).
    __table_args__ = (Index("ix_account_view_synced_at", "synced_at"),)


class ContactView(Base):
    """A contact as the customer service published it: whose it is, for checking a ticket's contact, and
    the name a ticket shows."""

    __tablename__ = "contact_view"

    contact_id: Mapped[str] = mapped_column(UuidString, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"number", "kind"}]
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)


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
    eta_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # occurred_at of the event that set eta
    last_location: Mapped[str | None] = mapped_column(String(5))
    booked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    open_exceptions: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Milestone(Base):
    __tablename__ = "shipment_milestones"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # booked | status | exception
    status: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(5))
    description: Mapped[str | None] = mapped_column(String(2000))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Agent(Base):
    """A user as the gateway announced them; service roles among them take tickets."""

    __tablename__ = "agents"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(50))
    team: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean)
    event_at: Mapped[datetime] = mapped_column(UtcDateTime)  # newest user event applied
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SkillGroup(Base):
    __tablename__ = "skill_groups"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    members: Mapped[list[SkillGroupMember]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                           order_by="SkillGroupMember.user_id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def member_list(self) -> list[dict[str, Any]]:
        """Members as plain data, for the audit trail and events."""
        return [{"user_id": m.user_id, "capacity": m.capacity} for m in self.members]


class SkillGroupMember(Base):
    __tablename__ = "skill_group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("skill_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=10)


class SlaPolicy(Base):
    __tablename__ = "sla_policies"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str | None] = mapped_column(String(10))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None = around the clock
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_sla_policies_match", "priority", "tier", "active"),)
    __mapper_args__ = {"version_id_col": version}


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    priority_rank: Mapped[int] = mapped_column(Integer, index=True)  # sortable: low 0 … urgent 3
    priority_auto: Mapped[bool] = mapped_column(Boolean, default=True)  # from category × tier, not overridden
    status: Mapped[str] = mapped_column(String(20), index=True)
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_code: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_id: Mapped[str | None] = mapped_column(String(36))
    requester_id: Mapped[str | None] = mapped_column(String(36))
    shipment_reference: Mapped[str | None] = mapped_column(String(64), index=True)
    exception_type: Mapped[str | None] = mapped_column(String(20))
    exception_severity: Mapped[str | None] = mapped_column(String(10))
    source_event_id: Mapped[str | None] = mapped_column(String(36), unique=True)  # one ticket per TMS exception
    region: Mapped[str | None] = mapped_column(String(50), index=True)
    tier: Mapped[str | None] = mapped_column(String(10))
    group_id: Mapped[str | None] = mapped_column(String(36), index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(36))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    resolution: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(String(40))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    first_responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # customer warned of the exception
    # The SLA clock: targets in business seconds, stopped while paused (pending, resolved, closed).
    sla_policy_id: Mapped[str | None] = mapped_column(String(36))  # indexed with status: policy edits
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_response_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_response_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    first_response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    survey_comment: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_tickets_assignee_status", "assignee_id", "status"),
                      Index("ix_tickets_exception", "shipment_reference", "exception_type", "status"),
                      # A policy edit finds the open tickets it governs by these two.
                      Index("ix_tickets_sla_policy_status", "sla_policy_id", "status"),
                      # The routing timer looks for open tickets no group took every few seconds; the
                      # partial index holds just those, not every closed group-less ticket ever raised.
                      Index("ix_tickets_groupless", "priority_rank", "created_at",
                            postgresql_where=text(GROUPLESS), sqlite_where=text(GROUPLESS)))
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def require_not_closed(self) -> None:
        if self.status == "closed":
            raise Conflict(f"Ticket {self.id} is closed; reopen it first.")

    def resolve(self, at: datetime, resolution: str, root_cause: str | None) -> None:
        if not self.is_open:
            raise Conflict(f"Ticket {self.id} is already {self.status}.")
        if self.category in ROOT_CAUSE_REQUIRED and not root_cause:
            raise ValidationFailed(errors={"root_cause": [f"Required to resolve a {self.category}."]})
        self.status, self.resolved_at = "resolved", at
        self.resolution, self.root_cause = resolution, root_cause

    def close(self, at: datetime) -> None:
        if self.status != "resolved":
            raise Conflict(f"Ticket {self.id} is {self.status}; resolve it before closing it.")
        self.status, self.closed_at = "closed", at

    def reopen(self, at: datetime, window: timedelta) -> None:
        if self.is_open:
            raise Conflict(f"Ticket {self.id} is {self.status}, not resolved or closed.")
        if self.resolved_at is not None and at - self.resolved_at > window:
            raise Conflict(f"Ticket {self.id} was resolved more than {window.days} days ago and can no longer "
                           "be reopened; open a new ticket instead.")
        self.status, self.resolved_at, self.closed_at = "open", None, None
        self.reopen_count = (self.reopen_count or 0) + 1


class Comment(Base):
    __tablename__ = "ticket_comments"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10))  # public | internal
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[str | None] = mapped_column(String(36))
    author_name: Mapped[str | None] = mapped_column(String(100))
    author_role: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class SlaBreach(Base):
    __tablename__ = "sla_breaches"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))  # first_response | resolution
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("ticket_id", "target", name="uq_sla_breach_ticket_target"),)


class Survey(Base):
    __tablename__ = "surveys"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(2000))


class Article(Base):
    __tablename__ = "kb_articles"

    id: Mapped[str] = mapped_column(UuidString, primary_key=True, default=_uuid)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(50), index=True)
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Relevance, filled in by a ``?q=`` search (``with_expression``); None otherwise.
    search_rank: Mapped[float | None] = query_expression()

    __mapper_args__ = {"version_id_col": version}
