"""Payment milestones of contracts and their reminders: ``milestone.due`` N days before the due date,
``milestone.overdue`` once it has passed unpaid, ``contract.renewal_due`` ahead of the renewal date.

Each reminder is claimed by a conditional UPDATE of its ``*_notified_at`` column, so it is sent once
however many sales instances run the timer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.events.sales import (
    ContractRenewalDue,
    MilestoneDue,
    MilestoneOverdue,
    MilestonePaid,
    MilestoneScheduled,
)
from crm_contracts.identity import Identity
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import access, settings
from .agreements import get, milestone_out
from .agreements import snapshot as contract_snapshot
from .models import AUDIT, Contract, PaymentMilestone

RECORDERS = (*access.SELLERS, "finance")


def _snapshot(m: PaymentMilestone, contract: Contract) -> dict[str, Any]:
    return {"milestone_id": m.id, "contract_id": contract.id, "contract_number": contract.number,
            "account_id": contract.account_id, "owner_id": contract.owner_id, "name": m.name, "due_on": m.due_on,
            "amount": {"amount": m.amount, "currency": m.currency}}


def _writable(session: Session, actor: Identity, contract_id: str) -> Contract:
    access.require(actor, RECORDERS, "change payment milestones")
    contract = get(session, actor, contract_id)
    if contract.status in ("rejected", "terminated"):
        raise Conflict(f"Contract {contract.number} is {contract.status}.")
    return contract


def add(uow: UnitOfWork, actor: Identity, contract_id: str, data: dict[str, Any]) -> PaymentMilestone:
    contract = _writable(uow.session, actor, contract_id)
    if data["amount"]["currency"] != contract.currency:
        raise ValidationFailed(errors={"amount": [f"Milestones of {contract.number} are paid in {contract.currency}."]})
    milestone = PaymentMilestone(contract_id=contract.id, name=data["name"], due_on=data["due_on"],
                                 amount=data["amount"]["amount"], currency=contract.currency)
    uow.session.add(milestone)
    uow.session.flush()
    audit.record(uow.session, AUDIT, entity="contract", entity_id=contract.id, action="milestone_added", actor=actor,
                 changes={"milestone": {"old": None, "new": milestone_out(milestone)}})
    uow.emit(MilestoneScheduled, actor=actor, **_snapshot(milestone, contract))
    return milestone


def change(uow: UnitOfWork, actor: Identity, contract_id: str, milestone_id: str,
           data: dict[str, Any]) -> PaymentMilestone:
    contract = _writable(uow.session, actor, contract_id)
    milestone = uow.session.get(PaymentMilestone, str(milestone_id))
    if milestone is None or milestone.contract_id != contract.id:
        raise NotFound(f"Milestone {milestone_id} was not found on contract {contract.number}.")
    before = milestone_out(milestone)
    rescheduled = "due_on" in data and data["due_on"] != milestone.due_on
    if rescheduled:
        milestone.due_on, milestone.due_notified_at, milestone.overdue_notified_at = data["due_on"], None, None
    newly_paid = "paid_on" in data and data["paid_on"] is not None and milestone.paid_on is None
    if "paid_on" in data:
        milestone.paid_on = data["paid_on"]
    uow.session.flush()
    changes = audit.diff(before, milestone_out(milestone))
    if changes:
        audit.record(uow.session, AUDIT, entity="contract", entity_id=contract.id, action="milestone_changed",
                     actor=actor, changes={f"milestone.{milestone.id}.{k}": v for k, v in changes.items()})
    if newly_paid:
        uow.emit(MilestonePaid, actor=actor, paid_on=milestone.paid_on, **_snapshot(milestone, contract))
    if rescheduled:
        uow.emit(MilestoneScheduled, actor=actor, **_snapshot(milestone, contract))
    return milestone


def _claim(session: Session, model: Any, row_id: str, column: str) -> bool:
    """Mark a reminder sent; False when another instance got there first."""
    result = session.execute(update(model).where(model.id == row_id, getattr(model, column).is_(None))
                             .values({column: utcnow()}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def remind(uow: UnitOfWork, today: date | None = None, batch: int = 500) -> dict[str, int]:
    session, today = uow.session, today or date.today()
    policy = settings.section(session, "contracts")
    horizon = today + timedelta(days=policy["milestone_reminder_days"])
    sent = {"due": 0, "overdue": 0, "renewal": 0}
    pending = (select(PaymentMilestone, Contract).join(Contract, Contract.id == PaymentMilestone.contract_id)
               .where(Contract.status == "approved", PaymentMilestone.paid_on.is_(None)))
    for m, contract in session.execute(pending.where(PaymentMilestone.due_notified_at.is_(None),
                                                     PaymentMilestone.due_on >= today,
                                                     PaymentMilestone.due_on <= horizon).limit(batch)).all():
        if _claim(session, PaymentMilestone, m.id, "due_notified_at"):
            uow.emit(MilestoneDue, days_left=(m.due_on - today).days, **_snapshot(m, contract))
            sent["due"] += 1
    for m, contract in session.execute(pending.where(PaymentMilestone.overdue_notified_at.is_(None),
                                                     PaymentMilestone.due_on < today).limit(batch)).all():
        if _claim(session, PaymentMilestone, m.id, "overdue_notified_at"):
            uow.emit(MilestoneOverdue, **_snapshot(m, contract))
            sent["overdue"] += 1
    renewal_horizon = today + timedelta(days=policy["renewal_notice_days"])
    for contract in session.scalars(select(Contract).where(
            Contract.status == "approved", Contract.renewal_notified_at.is_(None),
            Contract.renewal_date <= renewal_horizon).limit(batch)).all():
        if _claim(session, Contract, contract.id, "renewal_notified_at"):
            uow.emit(ContractRenewalDue, **contract_snapshot(contract))
            sent["renewal"] += 1
    return sent
