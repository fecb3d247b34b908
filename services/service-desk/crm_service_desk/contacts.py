"""The contact read model, kept from the customer service's ``contact.created/updated/deleted`` events,
and the check of a ticket's contact against it.

Events carry the whole contact and its version, so they are applied newest-version-wins and a late, older
one changes nothing. A contact the service desk has not heard of yet is accepted on a ticket: its event
may simply not have arrived (the bus lags the customer service), and refusing it would make raising a
ticket depend on delivery order. A known contact must be live and belong to the ticket's account; an
account merge moves contacts to the survivor without a contact event, so the contact's account is
followed through ``merged_into`` before comparing.
"""

from __future__ import annotations

import uuid
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import ValidationFailed
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from .models import AccountView, ContactView, Ticket


def apply(session: Session, event: dict[str, Any], deleted: bool = False) -> ContactView:
    """Upsert from a contact event; an older version than the one stored changes nothing."""
    contact_id = str(event["contact_id"])
    # Locked, so two events for one contact apply one after the other and the newest version wins.
    row = session.get(ContactView, contact_id, with_for_update=True)
    if row is not None and row.version >= event["version"]:
        return row
    if row is None:
        row = ContactView(contact_id=contact_id)
        session.add(row)
    row.account_id, row.name = str(event["account_id"]), event["name"]
    row.phones = jsonio.to_jsonable(event.get("phones") or [])
    row.emails = list(event.get("emails") or [])
    row.deleted, row.version, row.synced_at = deleted, event["version"], utcnow()
    session.flush()
    return row


def _same(a: str, b: str) -> bool:
    """Ids compared as UUIDs: the API accepts either case, the read models store lower case."""
    try:
        return uuid.UUID(str(a)) == uuid.UUID(str(b))
    except ValueError:
        return a == b


def account_of(session: Session, contact: ContactView) -> str:
    """The live account the contact belongs to: its own, or the survivor it was merged into."""
    return account_view.resolve(session, AccountView, contact.account_id)


def usable(session: Session, contact_id: str | None, account_id: str | None) -> ContactView | None:
    """The contact a ticket names, when known here; one deleted, or of an account other than
    ``account_id`` (when the ticket has one), is refused with a 422 naming ``contact_id``."""
    contact = session.get(ContactView, str(contact_id)) if contact_id else None
    if contact is None:
        return None
    if contact.deleted:
        raise ValidationFailed(errors={"contact_id": ["This contact was deleted."]})
    if account_id and not _same(account_of(session, contact), account_id):
        raise ValidationFailed(errors={"contact_id": ["Not a contact of this ticket's account."]})
    return contact


def name_of(ticket: Ticket) -> str | None:
    """The name of the ticket's contact, if known here: read through the ticket's session, whose identity
    map already holds it when a list preloaded its page's contacts."""
    session = object_session(ticket)
    if not ticket.contact_id or session is None:
        return None
    contact = session.get(ContactView, ticket.contact_id)
    return contact.name if contact is not None else None


def preload(session: Session, tickets: list[Ticket]) -> None:
    """Load a page's contacts in one query, so ``name_of`` answers each ticket from the identity map."""
    ids = sorted({t.contact_id for t in tickets if t.contact_id})
    if ids:
        session.scalars(select(ContactView).where(ContactView.contact_id.in_(ids))).all()
