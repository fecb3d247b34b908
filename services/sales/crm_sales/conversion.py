"""Lead → account (through the customer service, with its duplicate check) + contact + opportunity.

All-or-nothing for the user, across two services: everything that could refuse is checked before
the first remote call; the lead is then held in ``converting`` and each step's result is recorded in
``lead_conversions``. A failure that will not go away (the customer service sees a duplicate) undoes
the hold and nothing is left. A transient one (the customer service is down) leaves the record, and
converting again resumes from the last finished step — the account's ``customer_code`` is derived
from the lead, so a retry finds the account it created rather than making a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Protocol

from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.chassis.validation import load as load_payload
from crm_contracts.errors import Conflict, CrmError, NotFound, ValidationFailed
from crm_contracts.events.sales import LeadConverted
from crm_contracts.identity import Identity
from crm_contracts.jsonio import to_jsonable
from crm_contracts.payloads.accounts import BUSINESS_LINES, AccountCreate
from crm_contracts.payloads.contacts import ContactCreate
from crm_contracts.payloads.leads import ConvertOpportunity
from sqlalchemy import select, update

from . import access, directory, load, opportunities
from .leads import OWNED, get, snapshot
from .models import AUDIT, Lead, LeadConversion

Transaction = Callable[[], AbstractContextManager[UnitOfWork]]
ABANDON_AFTER = timedelta(minutes=10)


class RemoteUnavailable(Exception):
    """The customer service did not answer (down, or too slow); the step may be retried."""


class CustomerPort(Protocol):
    def create_account(self, payload: dict[str, Any], allow_duplicate: bool) -> dict[str, Any]: ...

    def find_account(self, customer_code: str) -> dict[str, Any] | None: ...

    def get_account(self, account_id: str) -> dict[str, Any]: ...

    def create_contact(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]: ...


def customer_code(lead: Lead) -> str:
    return "L-" + lead.id.replace("-", "")[:16].upper()


def _account_payload(lead: Lead, actor: Identity, data: dict[str, Any], code: str) -> dict[str, Any]:
    owner = lead.owner_id or actor.user_id
    payload = {"customer_code": code, "name": lead.company, "region": lead.region or actor.region,
               "industry": lead.industry, "tier": data.get("tier") or "C", "owner_id": owner, "team": lead.team,
               "tax_id": data.get("tax_id"), "phone": lead.phone, "email": lead.email,
               "address": lead.address, "business_lines": [lead.mode] if lead.mode in BUSINESS_LINES else []}
    if lead.website:
        payload["website"] = lead.website if "://" in lead.website else f"https://{lead.website}"
    load_payload(AccountCreate, payload)  # refuse now what the customer service would refuse later
    return payload


def _contact_payload(lead: Lead, data: dict[str, Any]) -> dict[str, Any] | None:
    if not data["create_contact"]:
        return None
    given = data.get("contact") or {}
    name = given.get("name") or lead.contact_name
    if not name:
        raise ValidationFailed(errors={"contact": ["The lead names no contact; give contact.name or "
                                                   "create_contact=false."]})
    phone, email = given.get("phone") or lead.phone, given.get("email") or lead.email
    payload = {"name": name, "title": given.get("title") or lead.title, "is_primary": True,
               "phones": [{"number": phone, "kind": "office"}] if phone else [], "emails": [email] if email else []}
    load_payload(ContactCreate, payload)  # refuse now what the customer service would refuse later
    return payload


def start(uow: UnitOfWork, actor: Identity, lead_id: str, data: dict[str, Any]) -> LeadConversion:
    """Check everything that can be checked here, then hold the lead (or resume a held one)."""
    access.require(actor, access.SELLERS, "convert leads")
    session = uow.session
    lead = get(session, actor, lead_id)
    record = session.get(LeadConversion, lead.id)
    resuming = lead.status == "converting" and record is not None and record.status == "pending"
    if not resuming and lead.status not in OWNED:
        raise Conflict(f"Lead {lead_id} is {lead.status}; claim it before converting." if lead.status == "pool"
                       else f"Lead {lead_id} is {lead.status}.")
    access.require_owner_or_manager(actor, lead.owner_id, lead.region, "convert this lead")
    if resuming:
        return record
    plan = dict(data, contact=_contact_payload(lead, data))
    opportunity = data.get("opportunity") or {}
    if data["create_opportunity"] and opportunities.stage_of(session, opportunity.get("stage"))["kind"] != "open":
        raise ValidationFailed(errors={"opportunity": {"stage": ["A new opportunity starts in an open stage."]}})
    code = data.get("customer_code") or customer_code(lead)
    if data.get("account_id"):
        account = directory.customer_account(session, str(data["account_id"]))
        if account is None or not account_view.visible_to(actor, account):
            raise NotFound(f"Account {data['account_id']} was not found.")
        plan["account_id"] = account.account_id
    else:
        plan["account"] = _account_payload(lead, actor, data, code)
    held = session.execute(update(Lead).where(Lead.id == lead.id, Lead.status == lead.status)
                           .values(status="converting", version=Lead.version + 1, updated_at=utcnow())
                           .execution_options(synchronize_session=False)).rowcount
    if held != 1:
        raise Conflict(f"Lead {lead_id} changed meanwhile; reload it.")
    if record is not None:
        session.delete(record)
        session.flush()
    record = LeadConversion(lead_id=lead.id, status="pending", previous_status=lead.status, customer_code=code,
                            account_id=plan.get("account_id"), payload=to_jsonable(plan),
                            actor=asdict(actor) | {"scopes": list(actor.scopes)}, started_at=utcnow(),
                            updated_at=utcnow())
    session.add(record)
    return record


def _release(uow: UnitOfWork, lead_id: str) -> None:
    """Undo the hold: the lead is back as it was, and nothing was created."""
    record = uow.session.get(LeadConversion, lead_id)
    if record is None or record.status != "pending" or record.account_created or record.contact_id:
        return  # something exists in the customer service now: only finishing makes it whole
    uow.session.execute(update(Lead).where(Lead.id == lead_id, Lead.status == "converting")
                        .values(status=record.previous_status, version=Lead.version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.delete(record)
    audit.record(uow.session, AUDIT, entity="lead", entity_id=lead_id, action="conversion_undone", actor=None,
                 changes={"status": {"old": "converting", "new": record.previous_status}})


def _note(transaction: Transaction, lead_id: str, **values: Any) -> None:
    with transaction() as uow:
        uow.session.execute(update(LeadConversion).where(LeadConversion.lead_id == lead_id)
                            .values(updated_at=utcnow(), **values))


def _account(transaction: Transaction, customer: CustomerPort, record: LeadConversion) -> tuple[str, str | None]:
    """(account_id, region): the existing account, the one created last time, or a new one."""
    if record.account_id:
        account = customer.get_account(record.account_id)
        return account["id"], account.get("region")
    payload = record.payload["account"]
    try:
        account = customer.create_account(payload, bool(record.payload.get("allow_duplicate")))
    except Conflict as exc:
        earlier = customer.find_account(record.customer_code) if "duplicates" not in exc.extra else None
        if earlier is None or earlier.get("name") != payload["name"]:
            with transaction() as uow:
                _release(uow, record.lead_id)
            raise
        account = earlier  # created by an attempt that failed before recording it
    except (ValidationFailed, CrmError):
        with transaction() as uow:
            _release(uow, record.lead_id)
        raise
    _note(transaction, record.lead_id, account_id=account["id"], account_created=True)
    return account["id"], account.get("region")


def _finish(uow: UnitOfWork, actor: Identity, lead_id: str, account_id: str, region: str | None) -> dict[str, Any]:
    session = uow.session
    record = session.get(LeadConversion, lead_id, with_for_update=True)
    lead = session.get(Lead, lead_id, populate_existing=True)
    if record is None or record.status == "done" or lead is None:
        raise Conflict(f"Lead {lead_id} was converted meanwhile.")
    opportunity_id = None
    if record.payload.get("create_opportunity"):
        wanted = load_payload(ConvertOpportunity, record.payload.get("opportunity") or {})
        opp = opportunities.create(uow, actor, {
            "name": wanted.get("name") or lead.company, "account_id": account_id, "lead_id": lead.id,
            "contact_id": record.contact_id, "owner_id": lead.owner_id, "stage": wanted.get("stage"),
            "amount": wanted.get("amount"), "expected_close": wanted.get("expected_close"), "mode": lead.mode,
            "origin": lead.origin, "destination": lead.destination}, region=region or lead.region)
        opportunity_id = opp.id
    before = {"status": record.previous_status, "account_id": None, "contact_id": None, "opportunity_id": None}
    lead.status, lead.account_id, lead.contact_id = "converted", account_id, record.contact_id
    lead.opportunity_id, lead.converted_at, lead.updated_at = opportunity_id, utcnow(), utcnow()
    record.status, record.opportunity_id, record.updated_at = "done", opportunity_id, utcnow()
    session.flush()
    load.add(session, lead.owner_id, -1)
    audit.record(session, AUDIT, entity="lead", entity_id=lead.id, action="converted", actor=actor,
                 changes=audit.diff(before, {"status": "converted", "account_id": account_id,
                                             "contact_id": record.contact_id, "opportunity_id": opportunity_id}))
    uow.emit(LeadConverted, actor=actor, account_id=account_id, contact_id=record.contact_id,
             opportunity_id=opportunity_id, **snapshot(lead))
    return {"lead_id": lead.id, "account_id": account_id, "contact_id": record.contact_id,
            "opportunity_id": opportunity_id}


def convert(transaction: Transaction, customer: CustomerPort, actor: Identity, lead_id: str,
            data: dict[str, Any]) -> dict[str, Any]:
    with transaction() as uow:
        record = start(uow, actor, lead_id, data)
    try:
        account_id, region = _account(transaction, customer, record)
        contact = record.payload.get("contact")
        if contact and not record.contact_id:
            record.contact_id = customer.create_contact(account_id, contact)["id"]
            _note(transaction, record.lead_id, contact_id=record.contact_id)
    except RemoteUnavailable as exc:
        _note(transaction, record.lead_id, attempts=record.attempts + 1, last_error=str(exc))
        raise Conflict(f"The conversion of lead {lead_id} is held at a step the customer service did not "
                       f"answer ({exc}); convert again to finish it.", status="converting") from None
    with transaction() as uow:
        return _finish(uow, actor, record.lead_id, account_id, region)


def abandon_stale(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Give back leads held by conversions that never reached the customer service."""
    cutoff = (now or utcnow()) - ABANDON_AFTER
    stale = uow.session.scalars(select(LeadConversion.lead_id).where(
        LeadConversion.status == "pending", LeadConversion.account_created.is_(False),
        LeadConversion.contact_id.is_(None), LeadConversion.updated_at < cutoff)).all()
    for lead_id in stale:
        _release(uow, lead_id)
    return len(stale)
