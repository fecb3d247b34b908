"""Contracts from accepted quotes: rendered from a template, approved by a manager, with a renewal
date and payment milestones (from the template's plan or given explicitly)."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from crm_contracts.events.sales import ContractApproved, ContractCreated, ContractRejected
from crm_contracts.identity import Identity
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import access, directory
from .freight import money
from .listing import where_equal
from .models import AUDIT, Contract, ContractTemplate, PaymentMilestone, Quote
from .quotes import get as get_quote

DEFAULT_BODY = ("Freight services agreement {contract_number} with {account_name}: {mode} from {origin} to "
                "{destination} at {total} {currency} as quoted in {quote_number}, from {start_date} to {end_date}.")
SORTS = {"created_at": Contract.created_at, "renewal_date": Contract.renewal_date, "number": Contract.number}
TEMPLATE_SORTS = {"created_at": ContractTemplate.created_at, "name": ContractTemplate.name}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(body: str, values: dict[str, Any]) -> str:
    try:
        return body.format_map(_Blank({k: str(v) for k, v in values.items()}))
    except (ValueError, IndexError, AttributeError) as exc:
        raise ValidationFailed(errors={"body": [f"Not a valid template: {exc}."]}) from None


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def snapshot(contract: Contract) -> dict[str, Any]:
    return {"contract_id": contract.id, "number": contract.number, "account_id": contract.account_id,
            "quote_id": contract.quote_id, "owner_id": contract.owner_id, "region": contract.region,
            "status": contract.status, "total": {"amount": contract.total, "currency": contract.currency},
            "start_date": contract.start_date, "end_date": contract.end_date, "renewal_date": contract.renewal_date}


def create_template(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> ContractTemplate:
    access.require(actor, access.MANAGERS, "maintain contract templates")
    render(data["body"], {})  # refuse a malformed template now, not when a contract needs it
    template = ContractTemplate(name=data["name"], body=data["body"], term_months=data["term_months"],
                                milestones=jsonio.to_jsonable(data["milestones"]), created_by=actor.user_id,
                                created_at=utcnow())
    uow.session.add(template)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="contract_template", entity_id=template.id, action="created",
                 actor=actor, changes=audit.diff({}, {"name": template.name, "body": template.body,
                                                      "term_months": template.term_months}))
    return template


def list_templates(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Any], str | None]:
    access.require_staff(actor)
    return paginate(session, select(ContractTemplate), id_column=ContractTemplate.id, allowed_sorts=TEMPLATE_SORTS,
                    default_sort=["name"], sort=query.get("sort"), cursor=query.get("cursor"),
                    limit=query.get("limit", 50))


def _plan(template: ContractTemplate | None, total: Decimal, currency: str, start: date,
          explicit: list[dict[str, Any]] | None) -> list[PaymentMilestone]:
    if explicit is not None:
        if any(m["amount"]["currency"] != currency for m in explicit):
            raise ValidationFailed(errors={"milestones": [f"Milestones are paid in {currency}."]})
        return [PaymentMilestone(name=m["name"], due_on=m["due_on"], amount=m["amount"]["amount"], currency=currency)
                for m in explicit]
    plan = template.milestones if template else []
    amounts = [money(total * Decimal(p["percent"]) / 100) for p in plan]
    if amounts:
        amounts[-1] += total - sum(amounts)  # rounding remainder on the last instalment
    return [PaymentMilestone(name=p["name"], due_on=start + timedelta(days=p["due_days"]), amount=a,
                             currency=currency) for p, a in zip(plan, amounts, strict=True)]


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Contract:
    access.require(actor, access.SELLERS, "draw up contracts")
    session = uow.session
    quote: Quote = get_quote(session, actor, str(data["quote_id"]))
    if quote.status != "accepted":
        raise Conflict(f"Quote {quote.number} is {quote.status}; a contract comes from an accepted quote.")
    if session.scalar(select(Contract.id).where(Contract.quote_id == quote.id)):
        raise Conflict(f"Quote {quote.number} already has a contract.")
    template = session.get(ContractTemplate, str(data["template_id"])) if data.get("template_id") else None
    if data.get("template_id") and template is None:
        raise ValidationFailed(errors={"template_id": ["Unknown contract template."]})
    total = data["total"] or {"amount": quote.total, "currency": quote.currency}
    start = data["start_date"]
    end = add_months(start, data.get("term_months") or (template.term_months if template else 12))
    number = f"C-{uuid.uuid4().hex[:10].upper()}"
    account = directory.customer_account(session, quote.account_id)
    values = {"account_name": account.name if account else quote.account_id, "quote_number": quote.number,
              "origin": quote.origin, "destination": quote.destination, "mode": quote.mode,
              "total": total["amount"], "currency": total["currency"], "start_date": start.isoformat(),
              "end_date": end.isoformat(), "contract_number": number}
    now = utcnow()
    contract = Contract(number=number, title=data.get("title") or f"{quote.origin}→{quote.destination} {quote.mode}",
                        quote_id=quote.id, account_id=quote.account_id, owner_id=quote.owner_id, team=quote.team,
                        region=quote.region, template_id=template.id if template else None,
                        body=render(template.body if template else DEFAULT_BODY, values), status="pending_approval",
                        start_date=start, end_date=end, renewal_date=end, total=total["amount"],
                        currency=total["currency"], created_by=actor.user_id, created_at=now, updated_at=now)
    session.add(contract)
    session.flush()
    for milestone in _plan(template, total["amount"], total["currency"], start, data.get("milestones")):
        milestone.contract_id = contract.id
        session.add(milestone)
    audit.record(session, AUDIT, entity="contract", entity_id=contract.id, action="created", actor=actor,
                 changes=audit.diff({}, snapshot(contract)))
    uow.emit(ContractCreated, actor=actor, **snapshot(contract))
    return contract


def get(session: Session, actor: Identity, contract_id: str) -> Contract:
    contract = session.scalar(access.visible(select(Contract).where(Contract.id == str(contract_id)), actor,
                                             Contract))
    if contract is None:
        raise NotFound(f"Contract {contract_id} was not found.")
    return contract


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Contract], str | None]:
    stmt = access.visible(select(Contract), actor, Contract)
    stmt = where_equal(stmt, Contract, query, ("account_id", "status", "owner_id", "quote_id"))
    return paginate(session, stmt, id_column=Contract.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def decide(uow: UnitOfWork, actor: Identity, contract_id: str, approve: bool, reason: str | None) -> Contract:
    contract = get(uow.session, actor, contract_id)
    if not access.may_manage(actor, contract.region):
        raise Forbidden("Only a sales manager of the region approves contracts.")
    status = "approved" if approve else "rejected"
    result = uow.session.execute(update(Contract).where(Contract.id == contract.id,
                                                        Contract.status == "pending_approval")
                                 .values(status=status, decided_by=actor.user_id, decided_at=utcnow(),
                                         decision_reason=reason, updated_at=utcnow(), version=Contract.version + 1)
                                 .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(f"Contract {contract.number} is {contract.status}; only a pending contract is decided.")
    contract = uow.session.get(Contract, contract.id, populate_existing=True)
    audit.record(uow.session, AUDIT, entity="contract", entity_id=contract.id, action=status, actor=actor,
                 changes={"status": {"old": "pending_approval", "new": status}, "reason": {"old": None, "new": reason}})
    if approve:
        uow.emit(ContractApproved, actor=actor, **snapshot(contract))
    else:
        uow.emit(ContractRejected, actor=actor, reason=reason, **snapshot(contract))
    return contract


def milestones(session: Session, contract_id: str) -> list[PaymentMilestone]:
    return list(session.scalars(select(PaymentMilestone).where(PaymentMilestone.contract_id == contract_id)
                                .order_by(PaymentMilestone.due_on, PaymentMilestone.id)))


def milestone_out(m: PaymentMilestone, today: date | None = None) -> dict[str, Any]:
    return jsonio.to_jsonable({
        "id": m.id, "contract_id": m.contract_id, "name": m.name, "due_on": m.due_on,
        "amount": {"amount": m.amount, "currency": m.currency}, "status": "paid" if m.paid_on else "pending",
        "overdue": m.paid_on is None and m.due_on < (today or date.today()), "paid_on": m.paid_on})


def to_out(session: Session, contract: Contract) -> dict[str, Any]:
    return jsonio.to_jsonable({
        **{k: getattr(contract, k) for k in ("id", "number", "title", "quote_id", "account_id", "owner_id", "region",
                                             "template_id", "body", "status", "start_date", "end_date",
                                             "renewal_date", "decided_by", "decided_at", "decision_reason",
                                             "created_by", "created_at", "updated_at", "version")},
        "total": {"amount": contract.total, "currency": contract.currency},
        "milestones": [milestone_out(m) for m in milestones(session, contract.id)]})


def template_out(template: ContractTemplate) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": template.id, "name": template.name, "body": template.body,
                               "term_months": template.term_months, "milestones": template.milestones or [],
                               "created_at": template.created_at})
