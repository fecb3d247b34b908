"""Comments: public ones the customer sees (the first from staff is the first response), internal ones
they never see. A customer's reply to a ticket waiting on them restarts the SLA clock."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Forbidden, ValidationFailed
from crm_contracts.events.service_desk import TicketCommented
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import escalation, journal, permissions, sla, tickets
from .models import Comment, Ticket

SORTS = {"created_at": Comment.created_at}
OUT = ("ticket_id", "body", "visibility", "attachments", "author_id", "author_name", "author_role", "created_at")


def _check_author(actor: Identity, visibility: str) -> None:
    if permissions.is_customer(actor):
        if visibility != "public":
            raise ValidationFailed(errors={"visibility": ["Customers add public comments only."]})
    elif actor.role not in permissions.WORKERS:
        raise Forbidden("Your role may read these tickets but not comment on them.")


def _answer_effects(uow: UnitOfWork, actor: Identity, ticket: Ticket, visibility: str) -> None:
    now = utcnow()
    if permissions.is_customer(actor):
        if ticket.status == "pending":
            ticket.status = "open"
            sla.resume(uow.session, ticket, now)
    elif visibility == "public" and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        ticket.status = "open" if ticket.status == "new" else ticket.status
        escalation.met(uow, ticket, "first_response", now)


def add(uow: UnitOfWork, actor: Identity, ticket_id: str, data: dict[str, Any]) -> Comment:
    ticket = tickets.get(uow.session, actor, ticket_id, for_update=True)
    _check_author(actor, data["visibility"])
    ticket.require_not_closed()
    before = journal.state(ticket)
    comment = Comment(ticket_id=ticket.id, body=data["body"], visibility=data["visibility"],
                      attachments=jsonio.to_jsonable(data.get("attachments") or []), author_id=actor.user_id,
                      author_name=actor.username, author_role=actor.role, created_at=utcnow())
    uow.session.add(comment)
    _answer_effects(uow, actor, ticket, data["visibility"])
    uow.session.flush()
    journal.save(uow, actor, ticket, "commented", before, TicketCommented,
                 extra={"comment_id": {"old": None, "new": comment.id}}, comment_id=comment.id,
                 visibility=comment.visibility, author_id=actor.user_id, author_role=actor.role,
                 body=comment.body if comment.visibility == "public" else None)
    return comment


def list_(session: Session, actor: Identity, ticket_id: str, query: dict[str, Any]) -> tuple[list[Comment],
                                                                                          str | None]:
    ticket = tickets.get(session, actor, ticket_id)
    stmt = select(Comment).where(Comment.ticket_id == ticket.id)
    if permissions.is_customer(actor):
        stmt = stmt.where(Comment.visibility == "public")
    return paginate(session, stmt, id_column=Comment.id, allowed_sorts=SORTS, default_sort=["created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def to_out(comment: Comment) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": comment.id, **{k: getattr(comment, k) for k in OUT}})
