"""Merging a duplicate account into a survivor.

The survivor takes the duplicate's contacts, relationships, tags, business lines, receivables and
any field it lacks. The duplicate becomes ``merged``: it answers 404 naming the survivor, and its id
and customer code resolve to the survivor from then on. ``account.merged`` tells the services that
hold activities, opportunities, tickets and shipments to move their links too.
"""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.errors import Conflict
from crm_contracts.events.customer import AccountMerged
from crm_contracts.identity import Identity
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import ledger, lookup, receivables, relationships
from .access import MERGERS, require
from .accounts import record_change, set_labels, state
from .models import AUDIT, Account, Contact, Relationship

FILLED_FROM_DUPLICATE = ("tax_id", "industry", "size", "phone", "email", "website", "address")


def _load(session: Session, actor: Identity, survivor_id: str, duplicate_id: str) -> tuple[Account, Account]:
    if str(survivor_id) == str(duplicate_id):
        raise Conflict("An account cannot be merged into itself.")
    survivor = lookup.get_any(session, actor, survivor_id)
    duplicate = lookup.get_any(session, actor, duplicate_id)
    if survivor.status == "merged":
        raise Conflict(f"Account {survivor.id} was itself merged into {survivor.merged_into_id}; "
                       "merge into that account instead.", merged_into=survivor.merged_into_id)
    if duplicate.status == "merged":
        raise Conflict(f"Account {duplicate.id} is already merged into {duplicate.merged_into_id}.",
                       merged_into=duplicate.merged_into_id)
    return survivor, duplicate


def _move_contacts(uow: UnitOfWork, actor: Identity, duplicate: Account, survivor: Account) -> list[str]:
    contacts = uow.session.scalars(select(Contact).where(Contact.account_id == duplicate.id)).all()
    for contact in contacts:
        contact.account_id = survivor.id
        if contact.is_primary:
            contact.is_primary = False  # the survivor's primary contact stays primary
        audit.record(uow.session, AUDIT, entity="contact", entity_id=contact.id, action="moved_on_merge",
                     actor=actor, changes={"account_id": {"old": duplicate.id, "new": survivor.id}})
    return [c.id for c in contacts if c.deleted_at is None]


def _repoint(uow: UnitOfWork, actor: Identity, duplicate: Account, survivor: Account) -> tuple[list[str], list[str]]:
    """Move the duplicate's links to the survivor; close those that would repeat or break something."""
    session = uow.session
    relationships.lock_hierarchy(session)
    links = session.scalars(select(Relationship).where(relationships.LIVE, or_(
        Relationship.account_id == duplicate.id, Relationship.related_account_id == duplicate.id))).all()
    moved, dropped = [], []

    def ends(link: Relationship) -> tuple[str, str]:
        return tuple(survivor.id if end == duplicate.id else end  # type: ignore[return-value]
                     for end in (link.account_id, link.related_account_id))

    for link in sorted(links, key=lambda link: len(set(ends(link)))):  # links that become self-links first
        account_id, related_id = ends(link)
        problem: str | None = None
        if account_id == related_id:
            problem = "it would link the survivor to itself"
        elif session.scalar(select(Relationship.id).where(
                relationships.LIVE, Relationship.id != link.id, Relationship.account_id == account_id,
                Relationship.related_account_id == related_id, Relationship.type == link.type)):
            problem = "the survivor already has this link"
        elif hierarchy := relationships.edge(account_id, related_id, link.type):
            problem = relationships.hierarchy_problem(session, *hierarchy, exclude_id=link.id)
        if problem:
            relationships.close(uow, actor, link, "closed_on_merge", reason={"old": None, "new": problem})
            dropped.append(link.id)
            continue
        before = {"account_id": link.account_id, "related_account_id": link.related_account_id}
        link.account_id, link.related_account_id = account_id, related_id
        session.flush()
        after = {"account_id": account_id, "related_account_id": related_id}
        audit.record(session, AUDIT, entity="relationship", entity_id=link.id, action="moved_on_merge",
                     actor=actor, changes=audit.diff(before, after))
        moved.append(link.id)
    return moved, dropped


def _absorb_fields(survivor: Account, duplicate: Account) -> None:
    set_labels(survivor, tags=[*survivor.tags, *duplicate.tags],
               lines=[*survivor.business_lines, *duplicate.business_lines])
    survivor.custom_attributes = {**(duplicate.custom_attributes or {}), **(survivor.custom_attributes or {})}
    for key in FILLED_FROM_DUPLICATE:
        if getattr(survivor, key) in (None, "") and getattr(duplicate, key):
            setattr(survivor, key, getattr(duplicate, key))


def merge(uow: UnitOfWork, actor: Identity, survivor_id: str, duplicate_id: str) -> dict[str, Any]:
    session = uow.session
    survivor, duplicate = _load(session, actor, survivor_id, duplicate_id)
    require(actor, MERGERS, "merge accounts")
    survivor_before, duplicate_before = state(survivor), state(duplicate)
    contact_ids = _move_contacts(uow, actor, duplicate, survivor)
    moved_links, dropped_links = _repoint(uow, actor, duplicate, survivor)
    moved_ledger = ledger.move(session, duplicate.id, survivor.id)
    _absorb_fields(survivor, duplicate)
    duplicate.status, duplicate.merged_into_id = "merged", survivor.id
    # Accounts merged into the duplicate earlier now point straight at the survivor.
    session.execute(update(Account).where(Account.merged_into_id == duplicate.id)
                    .values(merged_into_id=survivor.id, version=Account.version + 1))
    record_change(uow, actor, duplicate, duplicate_before, action="merged_into",
                  merged_into={"old": None, "new": survivor.id})
    record_change(uow, actor, survivor, survivor_before, action="merged",
                  merged_from={"old": None, "new": duplicate.id},
                  moved={"old": None, "new": {"contacts": len(contact_ids), "relationships": len(moved_links),
                                              **moved_ledger}},
                  closed_relationships={"old": None, "new": dropped_links})
    if any(moved_ledger.values()):
        receivables.refresh(uow, survivor, f"receivables of {duplicate.customer_code} merged")
    uow.emit(AccountMerged, actor=actor, survivor_id=survivor.id, survivor_code=survivor.customer_code,
             duplicate_id=duplicate.id, duplicate_code=duplicate.customer_code, contact_ids=contact_ids,
             relationship_ids=moved_links, tags=list(survivor.tags))
    return {"account": survivor, "duplicate_id": duplicate.id, "dropped_relationships": dropped_links,
            "moved": {"contacts": len(contact_ids), "relationships": len(moved_links), **moved_ledger}}
