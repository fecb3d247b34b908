"""Contacts (客户联系人): the people at a customer, their logistics roles, channels and opt-outs.

A contact is visible exactly when its account is. Phones (E.164), e-mails and roles are mirrored into
``contact_keys`` so duplicate checks and role filters use an index. Personal fields are blanked for
roles that may not see them and named in ``redacted``.
"""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound, ValidationFailed
from crm_contracts.events.customer import ContactCreated, ContactDeleted, ContactUpdated
from crm_contracts.identity import Identity
from crm_contracts.payloads.contacts import PII_FIELDS
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import lookup
from .access import ACCOUNT_WRITERS, require, sees_pii, visible
from .concurrency import flush
from .models import AUDIT, Account, Contact, ContactKey, new_id

FIELDS = ("name", "title", "roles", "phones", "emails", "im_handle", "birthday", "interests",
          "preferred_channel", "opt_outs", "is_primary", "notes")
LIST_DEFAULTS = {"roles": [], "phones": [], "emails": [], "interests": [], "opt_outs": []}
SORTS = {"name": Contact.name, "created_at": Contact.created_at, "updated_at": Contact.updated_at}
EMPTY_PII: dict[str, Any] = {"phones": [], "emails": [], "im_handle": None, "birthday": None}


def _state(contact: Contact) -> dict[str, Any]:
    return {k: getattr(contact, k) for k in FIELDS} | {"account_id": contact.account_id,
                                                       "deleted": contact.deleted_at is not None}


def _sync_keys(session: Session, contact: Contact) -> None:
    session.execute(delete(ContactKey).where(ContactKey.contact_id == contact.id))
    keys = ([("phone", p["number"]) for p in contact.phones] + [("email", e) for e in contact.emails]
            + [("role", r) for r in contact.roles])
    session.add_all(ContactKey(contact_id=contact.id, kind=kind, value=value) for kind, value in dict.fromkeys(keys))


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {"contact_id": contact.id, "version": contact.version,
            **{k: getattr(contact, k) for k in ("account_id", "name", "title", "roles", "phones", "emails",
                                                "birthday", "preferred_channel", "opt_outs", "is_primary")}}


def record(uow: UnitOfWork, actor: Identity | None, contact: Contact, before: dict[str, Any], action: str) -> None:
    """Audit and publish a contact change (nothing when nothing changed)."""
    changes = audit.diff(before, _state(contact))
    if not changes:
        return
    if action != "created":  # a new row is flushed once, at version 1
        contact.updated_at = utcnow()
    flush(uow.session, f"Contact {contact.id}")
    if action != "deleted":
        _sync_keys(uow.session, contact)
    audit.record(uow.session, AUDIT, entity="contact", entity_id=contact.id, action=action, actor=actor,
                 changes=changes)
    event = {"created": ContactCreated, "updated": ContactUpdated, "deleted": ContactDeleted}[action]
    extra = {"changed": sorted(changes)} if action == "updated" else {}
    uow.emit(event, actor=actor, **extra, **_snapshot(contact))


def _check_channels(contact: Contact) -> None:
    if contact.preferred_channel and contact.preferred_channel in (contact.opt_outs or ()):
        raise ValidationFailed(errors={"preferred_channel": ["The preferred channel cannot also be opted out."]})


def _one_primary(uow: UnitOfWork, actor: Identity, contact: Contact) -> None:
    """Only one primary contact per account: the new one takes over."""
    if not contact.is_primary:
        return
    others = uow.session.scalars(select(Contact).where(
        Contact.account_id == contact.account_id, Contact.id != contact.id, Contact.is_primary.is_(True),
        Contact.deleted_at.is_(None)))
    for other in others:
        before = _state(other)
        other.is_primary = False
        record(uow, actor, other, before, "updated")


def create(uow: UnitOfWork, actor: Identity, account_id: str, data: dict[str, Any]) -> Contact:
    account = lookup.get(uow.session, actor, account_id)
    require(actor, ACCOUNT_WRITERS, "add contacts")
    now = utcnow()
    contact = Contact(id=new_id(), account_id=account.id, **(LIST_DEFAULTS | data), created_at=now,
                      updated_at=now, created_by=actor.user_id)
    _check_channels(contact)
    _one_primary(uow, actor, contact)
    uow.session.add(contact)
    record(uow, actor, contact, {"deleted": False}, "created")
    return contact


def get(session: Session, actor: Identity, contact_id: str, *, lock: bool = False) -> Contact:
    stmt = visible(select(Contact).join(Account, Account.id == Contact.account_id)
                   .where(Contact.id == str(contact_id), Contact.deleted_at.is_(None),
                          Account.status.not_in(lookup.GONE)), actor)
    contact = session.scalar(stmt.with_for_update(of=Contact) if lock else stmt)
    if contact is None:
        raise NotFound(f"Contact {contact_id} was not found.")
    return contact


def list_(session: Session, actor: Identity, account_id: str,
          query: dict[str, Any]) -> tuple[list[Contact], str | None]:
    account = lookup.get(session, actor, account_id)
    stmt = select(Contact).where(Contact.account_id == account.id, Contact.deleted_at.is_(None))
    if query.get("role"):
        stmt = stmt.where(Contact.id.in_(select(ContactKey.contact_id).where(
            ContactKey.kind == "role", ContactKey.value == query["role"])))
    if query.get("q"):
        stmt = stmt.where(Contact.name.ilike(f"%{query['q'].strip()}%"))
    return paginate(session, stmt, id_column=Contact.id, allowed_sorts=SORTS, default_sort=["name"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update(uow: UnitOfWork, actor: Identity, contact_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Contact:
    contact = get(uow.session, actor, contact_id, lock=True)
    require(actor, ACCOUNT_WRITERS, "change contacts")
    lookup.check_version(f"Contact {contact_id}", contact.version, expected_version)
    before = _state(contact)
    for key, value in data.items():
        setattr(contact, key, value)
    _check_channels(contact)
    _one_primary(uow, actor, contact)
    record(uow, actor, contact, before, "updated")
    return contact


def delete_(uow: UnitOfWork, actor: Identity, contact_id: str, expected_version: int | None = None) -> None:
    """Remove a contact from the account; kept (hidden) so its audit trail stays readable."""
    contact = get(uow.session, actor, contact_id, lock=True)
    require(actor, ACCOUNT_WRITERS, "remove contacts")
    lookup.check_version(f"Contact {contact_id}", contact.version, expected_version)
    before = _state(contact)
    contact.deleted_at = utcnow()
    uow.session.execute(delete(ContactKey).where(ContactKey.contact_id == contact.id))
    record(uow, actor, contact, before, "deleted")


def to_out(contact: Contact, actor: Identity) -> dict[str, Any]:
    values = {k: getattr(contact, k) for k in FIELDS}
    redacted: list[str] = []
    if not sees_pii(actor):
        redacted = [k for k in PII_FIELDS if values[k]]
        values |= EMPTY_PII
    return jsonio.to_jsonable({"id": contact.id, "account_id": contact.account_id, **values, "redacted": redacted,
                               "created_at": contact.created_at, "updated_at": contact.updated_at,
                               "version": contact.version})


def redact_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's changes without personal values (for roles that may not see PII)."""
    return {k: ({"old": "***", "new": "***"} if k in PII_FIELDS else v) for k, v in changes.items()}
