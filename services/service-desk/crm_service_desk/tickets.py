"""Tickets: raise (any channel, portal included), read, list and edit, each change audited and published.

Priority comes from category × customer tier unless a person overrides it; the SLA clock starts at
creation; routing assigns the ticket in the same transaction. A contact the service desk knows must be
live and of the ticket's account (see ``contacts``); naming only a contact names its account.
"""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from crm_contracts.events.service_desk import TicketCreated
from crm_contracts.identity import SYSTEM, Identity
from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from . import contacts, journal, permissions, routing, sla, surveys, triage
from .models import AUDIT, OPEN_STATUSES, AccountView, Shipment, Ticket
from .records import check_version

SORTS = {"created_at": Ticket.created_at, "updated_at": Ticket.updated_at, "priority": Ticket.priority_rank,
         "resolution_due_at": Ticket.resolution_due_at, "status": Ticket.status}
FILTERS = ("status", "category", "priority", "channel", "account_id", "group_id", "shipment_reference")
OUT = ("subject", "description", "channel", "category", "priority", "status", "account_id", "customer_code",
       "contact_id", "requester_id", "shipment_reference", "exception_type", "region", "group_id", "assignee_id",
       "tags", "attachments", "resolution", "root_cause", "reopen_count", "created_by", "created_at",
       "updated_at", "first_responded_at", "resolved_at", "closed_at", "csat", "nps", "survey_comment", "version")


def auto_priority(ticket: Ticket) -> str:
    floor = "high" if ticket.exception_severity == "high" else None
    return triage.priority_for(ticket.category, ticket.tier, floor)


def set_priority(session: Session, ticket: Ticket, priority: str) -> None:
    """A new priority means other SLA targets; flags already raised stay raised."""
    if priority != ticket.priority:
        ticket.priority, ticket.priority_rank = priority, triage.rank(priority)
        sla.schedule(session, ticket)


def open_ticket(uow: UnitOfWork, actor: Identity, data: dict[str, Any], account: AccountView | None,
                **system_fields: Any) -> Ticket:
    """Create, start the SLA clock, publish ``ticket.created`` and route, all in one transaction."""
    now, code = utcnow(), system_fields.pop("customer_code", None)
    ticket = Ticket(
        **{k: data.get(k) for k in ("subject", "description", "channel", "category", "contact_id",
                                     "shipment_reference")},
        account_id=account.account_id if account else data.get("account_id"),
        customer_code=account.customer_code if account else code,
        region=account.region if account else None, tier=account.tier if account else None,
        tags=data.get("tags") or [], attachments=jsonio.to_jsonable(data.get("attachments") or []),
        requester_id=actor.user_id if permissions.is_customer(actor) else None,
        created_by=actor.user_id, created_at=now, updated_at=now, status="new", reopen_count=0,
        paused_seconds=0, priority_auto=data.get("priority") is None, **system_fields)
    priority = data.get("priority") or auto_priority(ticket)
    ticket.priority, ticket.priority_rank = priority, triage.rank(priority)
    sla.schedule(uow.session, ticket)
    uow.session.add(ticket)
    journal.save(uow, actor, ticket, "created", {}, TicketCreated)
    routing.route(uow, actor if actor is not SYSTEM else None, ticket)
    return ticket


def _account_for(session: Session, actor: Identity, data: dict[str, Any]) -> AccountView | None:
    """The ticket's account: named, else the shipment's; one the caller may not see is refused."""
    if permissions.is_customer(actor):
        if data.get("priority") is not None:
            raise ValidationFailed(errors={"priority": ["Set by the service desk."]})
        if data.get("account_id") not in (None, actor.account_id):
            raise ValidationFailed(errors={"account_id": ["You may raise tickets for your own account only."]})
        data["account_id"] = actor.account_id
    shipment = session.get(Shipment, data["shipment_reference"]) if data.get("shipment_reference") else None
    if shipment is not None and shipment.account_id:
        if data.get("account_id") not in (None, shipment.account_id):
            raise ValidationFailed(errors={"shipment_reference": ["Belongs to another account."]})
        data["account_id"] = shipment.account_id
    by_contact = None
    if not data.get("account_id"):
        # A caller who names only the contact (a phone call, an e-mail) raises it for the contact's account.
        by_contact = contacts.usable(session, data.get("contact_id"), None)
        if by_contact is None:
            return None
        data["account_id"] = contacts.account_of(session, by_contact)
    # Read under a share lock: a merge of this account in flight finishes first, and a merged
    # account's new tickets go to its survivor.
    account = session.get(AccountView, data["account_id"], with_for_update={"read": True})
    if account is not None and account.merged_into is not None:
        data["account_id"] = account_view.resolve(session, AccountView, account.merged_into)
        account = session.get(AccountView, data["account_id"])
    if account is not None and not account_view.visible_to(actor, account):
        raise ValidationFailed(errors={"contact_id": ["No such contact."]} if by_contact
                               else {"account_id": ["No such account."]})
    if by_contact is None:
        contacts.usable(session, data.get("contact_id"), data["account_id"])
    return account  # None: not synced here yet; linked when its event arrives


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Ticket:
    if not permissions.is_customer(actor):
        permissions.require_worker(actor, "raise tickets")
    account = _account_for(uow.session, actor, data)
    return open_ticket(uow, actor, data, account)


def get(session: Session, actor: Identity, ticket_id: str, for_update: bool = False) -> Ticket:
    stmt = select(Ticket).where(Ticket.id == str(ticket_id))
    scope = permissions.ticket_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    ticket = session.scalar(stmt.with_for_update() if for_update else stmt)
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id} was not found.")
    return ticket


def get_to_work(session: Session, actor: Identity, ticket_id: str, expected_version: int | None = None) -> Ticket:
    """A visible ticket, locked, that the caller may change (read-only roles see it but may not)."""
    ticket = get(session, actor, ticket_id, for_update=True)
    permissions.require_worker(actor)
    check_version(ticket, expected_version, f"Ticket {ticket_id}")
    return ticket


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Ticket], str | None]:
    stmt = select(Ticket)
    scope = permissions.ticket_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if query.get("account_id"):
        query = {**query, "account_id": account_view.resolve(session, AccountView, query["account_id"])}
    for name in FILTERS:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Ticket, name) == query[name])
    if query.get("assignee_id"):
        stmt = stmt.where(Ticket.assignee_id == (actor.user_id if query["assignee_id"] == "me"
                                                 else query["assignee_id"]))
    if query.get("unassigned") is not None:
        stmt = stmt.where(Ticket.assignee_id.is_(None) if query["unassigned"] else Ticket.assignee_id.isnot(None))
    if query.get("breached") is not None:
        breached = or_(Ticket.first_response_breached, Ticket.resolution_breached)
        stmt = stmt.where(breached if query["breached"] else ~breached)
    if query.get("q"):
        stmt = stmt.where(or_(Ticket.subject.ilike(f"%{query['q']}%"), Ticket.id == query["q"],
                              Ticket.shipment_reference == query["q"]))
    items, cursor = paginate(session, stmt, id_column=Ticket.id, allowed_sorts=SORTS,
                             default_sort=["-created_at"], sort=query.get("sort"), cursor=query.get("cursor"),
                             limit=query.get("limit", 50))
    contacts.preload(session, items)
    return items, cursor


def update(uow: UnitOfWork, actor: Identity, ticket_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Ticket:
    session = uow.session
    ticket = get_to_work(session, actor, ticket_id, expected_version)
    ticket.require_not_closed()
    before = journal.state(ticket)
    status = data.pop("status", None)
    if "contact_id" in data and data["contact_id"] != ticket.contact_id:
        contacts.usable(session, data["contact_id"], ticket.account_id)
    for key in ("subject", "description", "category", "contact_id", "shipment_reference", "tags"):
        if key in data:
            setattr(ticket, key, data[key])
    if "priority" in data:
        ticket.priority_auto = False
    set_priority(session, ticket, data.get("priority") or (auto_priority(ticket) if ticket.priority_auto
                                                            else ticket.priority))
    if status is not None:
        _set_status(session, ticket, status)
    journal.save(uow, actor, ticket, "updated", before)
    return ticket


def _set_status(session: Session, ticket: Ticket, status: str) -> None:
    """``pending`` waits on the customer and stops the SLA clock; ``open`` restarts it."""
    if status == ticket.status:
        return
    if not ticket.is_open:
        raise Conflict(f"Ticket {ticket.id} is {ticket.status}; use reopen.")
    if status == "pending":
        sla.pause(ticket, utcnow())
    elif ticket.status == "pending":
        sla.resume(session, ticket, utcnow())
    ticket.status = status


def link_account(uow: UnitOfWork, account: AccountView) -> None:
    """Tickets raised before the account was known here get it, its region and tier; open tickets whose
    priority the rules decide are re-triaged."""
    session = uow.session
    session.execute(sql_update(Ticket).where(Ticket.customer_code == account.customer_code,
                                         Ticket.account_id.is_(None)).values(account_id=account.account_id))
    session.execute(sql_update(Ticket).where(Ticket.account_id == account.account_id).values(
        customer_code=account.customer_code, region=account.region, tier=account.tier))
    for ticket in session.scalars(select(Ticket).where(
            Ticket.account_id == account.account_id, Ticket.status.in_(OPEN_STATUSES), Ticket.priority_auto)
            .with_for_update().execution_options(populate_existing=True)).all():
        before = journal.state(ticket)
        set_priority(session, ticket, auto_priority(ticket))
        journal.save(uow, None, ticket, "updated", before)


def history(session: Session, actor: Identity, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's audit trail, newest first; staff only (it names internal comments and agents)."""
    ticket = get(session, actor, ticket_id)
    if permissions.is_customer(actor):
        raise Forbidden("The change history is for staff.")
    return audit.history(session, AUDIT, entity="ticket", entity_id=ticket.id)


def out_for(session: Session, actor: Identity, ticket: Ticket) -> dict[str, Any]:
    """The ticket as ``actor`` sees it: a customer also gets the token of the survey still open to them."""
    token = surveys.open_token(session, ticket) if permissions.is_customer(actor) else None
    return to_out(ticket, survey_token=token)


def to_out(ticket: Ticket, survey_token: str | None = None) -> dict[str, Any]:
    return jsonio.to_jsonable({
        "id": ticket.id, **{k: getattr(ticket, k) for k in OUT}, "contact_name": contacts.name_of(ticket),
        "survey_token": survey_token,
        "sla": {"policy_id": ticket.sla_policy_id, "first_response_due_at": ticket.first_response_due_at,
                "resolution_due_at": ticket.resolution_due_at, "paused": ticket.paused_at is not None,
                "first_response_breached": ticket.first_response_breached,
                "resolution_breached": ticket.resolution_breached},
    })
