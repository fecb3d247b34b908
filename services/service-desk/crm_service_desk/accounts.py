"""What account events do to the records that name an account.

A new or changed account links the tickets and shipments that waited for its customer code. On
``account.merged`` the duplicate's tickets, shipments (linked, or held unlinked under its code) and
customer SOPs move to the survivor, each move audited, tickets published as ``ticket.updated`` and
articles as ``kb_article.changed``; surveys and satisfaction follow their tickets. The read model
marks the duplicate merged, so TMS events still carrying its code land on the survivor.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.events.service_desk import KbArticleChanged
from crm_contracts.identity import Identity
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from . import journal, kb, proactive, records, shipments, tickets
from .models import AUDIT, AccountView, Article, Shipment, Ticket

STRAGGLER_WINDOW = timedelta(minutes=2)


def on_account_changed(uow: UnitOfWork, event: dict[str, Any]) -> AccountView:
    """Apply an ``account.created`` / ``account.updated`` snapshot and link what waited for it."""
    row = account_view.apply_snapshot(uow.session, AccountView, event)
    if row.merged_into is None:
        # A merged account's records are the merge's to move; linking them here would pull them back.
        shipments.link_account(uow.session, row)
        tickets.link_account(uow, row)
        proactive.alert_late_linked(uow, row)
    return row


def link_stragglers(uow: UnitOfWork, now: datetime, window: timedelta = STRAGGLER_WINDOW) -> int:
    """Link the shipments and tickets that missed their account; returns how many accounts had some.

    A TMS event or a ticket written while the account's own event was being applied misses the link:
    each transaction is blind to the other's uncommitted row, so the shipment finds no account and the
    account finds no shipment to link. That can only happen around the time the account arrived or
    changed, so the timer looks again at the accounts synced within ``window``.
    """
    session, linked = uow.session, 0
    recent = session.scalars(select(AccountView).where(AccountView.synced_at >= now - window,
                                                       AccountView.merged_into.is_(None))).all()
    for account in recent:
        code = account.customer_code
        stray_tickets = session.scalar(select(func.count()).select_from(Ticket).where(or_(
            and_(Ticket.account_id.is_(None), Ticket.customer_code == code),
            and_(Ticket.account_id == account.account_id, Ticket.customer_code.is_(None)))))
        stray_shipments = shipments.link_account(session, account)
        if stray_tickets:
            tickets.link_account(uow, account)
            proactive.alert_late_linked(uow, account)
        linked += bool(stray_tickets or stray_shipments)
    return linked


def on_account_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Move everything of the duplicate to the survivor; returns how many records of each kind moved."""
    session = uow.session
    duplicate, survivor = account_view.mark_merged(session, AccountView, event)
    _hold_tms_writes(session)
    target_id = duplicate.merged_into
    target_code = survivor.customer_code if survivor is not None else event["survivor_code"]
    actor = account_view.merge_actor(event)
    moved = {"tickets": _move_tickets(uow, actor, event, target_id, target_code, survivor),
             "shipments": _move_shipments(session, actor, event, target_id),
             "kb_articles": _move_articles(uow, actor, duplicate.account_id, target_id)}
    if survivor is not None:
        proactive.alert_late_linked(uow, survivor)  # exception tickets held under the duplicate's code
    audit.record(session, AUDIT, entity="account", entity_id=duplicate.account_id, action="merged_into",
                 actor=actor, changes={"merged_into": {"old": None, "new": target_id},
                                       "moved": {"old": None, "new": moved}})
    return moved


def _hold_tms_writes(session: Session) -> None:
    """On PostgreSQL, let the TMS events being folded right now finish and hold new ones until this
    commits: one that read the duplicate as live a moment ago would otherwise link a new shipment to it
    after its shipments moved. Taken after the account rows, the order the account handlers use too."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"LOCK TABLE {Shipment.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))


def _held(model: Any, event: dict[str, Any]) -> Any:
    """Records of the duplicate: linked to it, or waiting unlinked under its customer code."""
    return or_(model.account_id == str(event["duplicate_id"]),
               and_(model.account_id.is_(None), model.customer_code == event["duplicate_code"]))


def _move_tickets(uow: UnitOfWork, actor: Identity | None, event: dict[str, Any], target_id: str,
                  target_code: str, survivor: AccountView | None) -> int:
    session = uow.session
    moved = session.scalars(select(Ticket).where(_held(Ticket, event)).order_by(Ticket.id).with_for_update()
                            .execution_options(populate_existing=True)).all()
    for ticket in moved:
        before = journal.state(ticket)
        ticket.account_id, ticket.customer_code = target_id, target_code
        if survivor is not None:
            # The survivor's region scopes who sees the ticket; its tier may change the ticket's priority.
            # A survivor not known yet sets both when its snapshot arrives (tickets.link_account).
            ticket.region, ticket.tier = survivor.region, survivor.tier
            if ticket.is_open and ticket.priority_auto:
                tickets.set_priority(session, ticket, tickets.auto_priority(ticket))
        journal.save(uow, actor, ticket, "account_merged", before)
    return len(moved)


def _move_shipments(session: Session, actor: Identity | None, event: dict[str, Any], target_id: str) -> int:
    held = _held(Shipment, event)
    moved = session.execute(select(Shipment.reference, Shipment.account_id).where(held)).all()
    session.execute(update(Shipment).where(held).values(account_id=target_id)
                    .execution_options(synchronize_session=False))
    for reference, old in moved:
        audit.record(session, AUDIT, entity="shipment", entity_id=reference, action="account_merged",
                     actor=actor, changes={"account_id": {"old": old, "new": target_id}})
    return len(moved)


def _move_articles(uow: UnitOfWork, actor: Identity | None, duplicate_id: str, target_id: str) -> int:
    """The duplicate's own SOPs now guide the survivor's tickets."""
    articles = uow.session.scalars(select(Article).where(Article.account_id == duplicate_id)
                                   .order_by(Article.id).with_for_update()).all()
    for article in articles:
        before = records.state(article, kb.FIELDS)
        article.account_id = target_id
        records.save(uow, actor, article, entity="kb_article", action="account_merged", before=before,
                     fields=kb.FIELDS, event_cls=KbArticleChanged, body=records.config_body("title"))
    return len(articles)
