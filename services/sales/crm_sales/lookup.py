"""Caller-ID for the call centre: a phone number in any format finds the leads (by phone or fax),
the customers' contacts and their accounts (by a contact's number or the account's own), each with recent
activities and open opportunities."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.identity import Identity
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import access, activities, directory
from .models import ContactView, Lead, Opportunity, PartyKey

LIMIT = 20


def _open_opportunities(session: Session, actor: Identity, account_id: str | None) -> list[dict[str, Any]]:
    if not account_id:
        return []
    stmt = access.visible(select(Opportunity), actor, Opportunity).where(Opportunity.account_id == account_id,
                                                                          Opportunity.status == "open")
    return [jsonio.to_jsonable({"id": o.id, "name": o.name, "stage": o.stage, "owner_id": o.owner_id,
                                "amount": None if o.amount is None else {"amount": o.amount, "currency": o.currency},
                                "expected_close": o.expected_close})
            for o in session.scalars(stmt.order_by(Opportunity.updated_at.desc()).limit(5))]


def _lead_matches(session: Session, actor: Identity, phone: str) -> list[dict[str, Any]]:
    stmt = access.visible_leads(select(Lead), actor, Lead).where(or_(Lead.phone == phone, Lead.fax == phone))
    return [{"kind": "lead", "id": lead.id, "name": lead.company, "account_id": lead.account_id,
             "status": lead.status, "owner_id": lead.owner_id,
             "matched_on": "phone" if lead.phone == phone else "fax",
             "recent_activities": activities.recent(session, actor, lead_id=lead.id),
             "open_opportunities": _open_opportunities(session, actor, lead.account_id)}
            for lead in session.scalars(stmt.order_by(Lead.updated_at.desc()).limit(LIMIT))]


def _party_matches(session: Session, actor: Identity, phone: str, accounts_seen: set[str]) -> list[dict[str, Any]]:
    matches = []
    rows = session.execute(select(ContactView).join(PartyKey, PartyKey.contact_id == ContactView.contact_id)
                           .where(PartyKey.kind == "phone", PartyKey.key == phone, ContactView.deleted.is_(False))
                           .limit(LIMIT)).scalars().all()
    for contact in rows:
        account = directory.customer_account(session, contact.account_id)
        if account is None or not account_view.visible_to(actor, account):
            continue
        opportunities = _open_opportunities(session, actor, account.account_id)
        matches.append({"kind": "contact", "id": contact.contact_id, "name": contact.name,
                        "account_id": account.account_id, "status": None, "owner_id": account.owner_id,
                        "matched_on": "phone", "open_opportunities": opportunities,
                        "recent_activities": activities.recent(session, actor, account_id=account.account_id)})
        if account.account_id not in accounts_seen:
            accounts_seen.add(account.account_id)
            matches.append({"kind": "account", "id": account.account_id, "name": account.name,
                            "account_id": account.account_id, "status": account.status,
                            "owner_id": account.owner_id, "matched_on": "contact_phone",
                            "open_opportunities": opportunities, "recent_activities": []})
    return matches


def _account_matches(session: Session, actor: Identity, phone: str, seen: set[str]) -> list[dict[str, Any]]:
    """Accounts whose own number is ``phone`` (party keys whose owner is the account itself)."""
    matches = []
    for key in session.scalars(select(PartyKey).where(PartyKey.kind == "phone", PartyKey.key == phone,
                                                      PartyKey.contact_id == PartyKey.account_id).limit(LIMIT)):
        account = directory.customer_account(session, key.account_id)
        if account is None or account.account_id in seen or not account_view.visible_to(actor, account):
            continue
        seen.add(account.account_id)
        matches.append({"kind": "account", "id": account.account_id, "name": account.name,
                        "account_id": account.account_id, "status": account.status, "owner_id": account.owner_id,
                        "matched_on": "phone", "open_opportunities": _open_opportunities(session, actor,
                                                                                         account.account_id),
                        "recent_activities": activities.recent(session, actor, account_id=account.account_id)})
    return matches


def by_phone(session: Session, actor: Identity, phone: str) -> dict[str, Any]:
    """``phone`` is E.164 (``LookupQuery`` normalises any format)."""
    access.require_staff(actor)
    seen: set[str] = set()
    accounts = _account_matches(session, actor, phone, seen)
    return {"phone": phone, "matches": accounts + _party_matches(session, actor, phone, seen)
            + _lead_matches(session, actor, phone)}
