"""Satisfaction surveys: one token per resolution, answered once at the public ``/surveys/{token}``.

The token is the credential (no sign-in): random, single use, expiring. A reused token is a conflict
(409), an expired one is gone (410). The answer lands on the ticket and on the bus for analytics.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Gone, NotFound
from crm_contracts.events.service_desk import SurveyAnswered, SurveyRequested
from crm_contracts.identity import Identity
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import AUDIT, Survey, Ticket

QUESTIONS = {"csat": "How satisfied are you with how we handled this request? (1-5)",
             "nps": "How likely are you to recommend us to a colleague? (0-10)",
             "comment": "Anything else you would like to tell us?"}


def issue(uow: UnitOfWork, actor: Identity | None, ticket: Ticket, ttl: timedelta) -> Survey:
    """A new survey for this resolution; an unanswered one from an earlier resolution expires now."""
    now = utcnow()
    uow.session.execute(update(Survey).where(Survey.ticket_id == ticket.id, Survey.answered_at.is_(None),
                                             Survey.expires_at > now).values(expires_at=now))
    survey = Survey(token=secrets.token_urlsafe(32), ticket_id=ticket.id, created_at=now, expires_at=now + ttl)
    uow.session.add(survey)
    uow.emit(SurveyRequested, actor=actor, token=survey.token, ticket_id=ticket.id, account_id=ticket.account_id,
             contact_id=ticket.contact_id, requester_id=ticket.requester_id, subject=ticket.subject,
             expires_at=survey.expires_at)
    return survey


def open_token(session: Session, ticket: Ticket) -> str | None:
    """The token the ticket's customer may still answer, if any."""
    return session.scalar(select(Survey.token).where(Survey.ticket_id == ticket.id, Survey.answered_at.is_(None),
                                                     Survey.expires_at > utcnow()))


def _find(session: Session, token: str) -> tuple[Survey, Ticket]:
    survey = session.get(Survey, str(token)[:64])
    if survey is None:
        raise NotFound("This survey link is not valid.")
    return survey, session.get(Ticket, survey.ticket_id)


def get(session: Session, token: str) -> dict[str, Any]:
    survey, ticket = _find(session, token)
    status = "answered" if survey.answered_at else "expired" if survey.expires_at <= utcnow() else "open"
    return jsonio.to_jsonable({"ticket_subject": ticket.subject, "status": status, "expires_at": survey.expires_at,
                               "answered_at": survey.answered_at, "questions": QUESTIONS})


def answer(uow: UnitOfWork, token: str, data: dict[str, Any]) -> dict[str, Any]:
    session, now = uow.session, utcnow()
    survey, ticket = _find(session, token)
    if survey.answered_at is not None:
        raise Conflict("This survey has already been answered; thank you.")
    if survey.expires_at <= now:
        raise Gone("This survey has expired.")
    # The guarded UPDATE is the single use: of two answers racing, exactly one changes a row.
    taken = session.execute(update(Survey).where(Survey.token == survey.token, Survey.answered_at.is_(None))
                            .values(answered_at=now, csat=data["csat"], nps=data.get("nps"),
                                    comment=data.get("comment")).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise Conflict("This survey has already been answered; thank you.")
    ticket.csat, ticket.nps, ticket.survey_comment = data["csat"], data.get("nps"), data.get("comment")
    ticket.updated_at = now
    audit.record(session, AUDIT, entity="ticket", entity_id=ticket.id, action="survey_answered", actor=None,
                 changes={k: {"old": None, "new": data.get(k)} for k in ("csat", "nps", "comment")})
    uow.emit(SurveyAnswered, ticket_id=ticket.id, account_id=ticket.account_id, category=ticket.category,
             assignee_id=ticket.assignee_id, csat=data["csat"], nps=data.get("nps"), comment=data.get("comment"))
    session.expire(survey)
    return get(session, token)
