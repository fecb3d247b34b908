"""The configurable rules (grading, assignment, pool, stages, quote and contract policy) with their
defaults; an admin replaces a section whole, and every change is audited and published."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Forbidden
from crm_contracts.events.sales import SalesSettingsChanged
from crm_contracts.identity import Identity
from crm_contracts.payloads.sales_settings import SalesSettings
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AUDIT, SalesSetting

DEFAULTS: dict[str, dict[str, Any]] = {
    "grading": {
        "rules": [
            {"field": "source", "op": "in", "value": ["referral", "overseas_agent"], "points": 30},
            {"field": "source", "op": "in", "value": ["exhibition", "website", "campaign"], "points": 15},
            {"field": "email", "op": "present", "points": 15},
            {"field": "phone", "op": "present", "points": 15},
            {"field": "contact_name", "op": "present", "points": 10},
            {"field": "origin", "op": "present", "points": 10},
            {"field": "destination", "op": "present", "points": 10},
        ],
        "thresholds": {"A": 70, "B": 40},
    },
    "assignment": {"rules": []},
    "pool": {"release_after_days": 30, "warn_days_before": 3, "claim_limit": 200, "reclaim_cooldown_days": 7},
    "stages": {"stages": [
        {"key": "prospecting", "name": "Prospecting", "probability": 10, "kind": "open"},
        {"key": "qualification", "name": "Qualification", "probability": 20, "kind": "open"},
        {"key": "needs_analysis", "name": "Needs analysis", "probability": 40, "kind": "open"},
        {"key": "proposal", "name": "Proposal / quote", "probability": 60, "kind": "open"},
        {"key": "negotiation", "name": "Negotiation", "probability": 80, "kind": "open"},
        {"key": "won", "name": "Closed won", "probability": 100, "kind": "won"},
        {"key": "lost", "name": "Closed lost", "probability": 0, "kind": "lost"},
    ]},
    "quotes": {"discount_approval_pct": "10", "min_margin_pct": "5", "validity_days": 14},
    "contracts": {"milestone_reminder_days": 3, "renewal_notice_days": 30},
}
SECTIONS = tuple(DEFAULTS)


def _stored(session: Session) -> dict[str, Any]:
    return {row.section: row.value for row in session.scalars(select(SalesSetting))}


def current(session: Session) -> dict[str, Any]:
    """Every section, typed (decimals, dates) by the settings schema."""
    return SalesSettings().load({**DEFAULTS, **_stored(session)})


def section(session: Session, name: str) -> dict[str, Any]:
    row = session.get(SalesSetting, name)
    loaded = SalesSettings().load({name: row.value if row else DEFAULTS[name]})
    return loaded[name]


def dump(values: dict[str, Any]) -> dict[str, Any]:
    return jsonio.to_jsonable(SalesSettings().dump(values))


def update(uow: UnitOfWork, actor: Identity, changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the given sections (already validated by ``SalesSettings``)."""
    if actor.role != "admin":
        raise Forbidden("Only an admin changes the sales rules.")
    session = uow.session
    before = _stored(session)
    now = utcnow()
    for name, value in changes.items():
        plain = dump({name: value})[name]
        row = session.get(SalesSetting, name)
        if row is None:
            session.add(SalesSetting(section=name, value=plain, updated_at=now, updated_by=actor.user_id))
        else:
            row.value, row.updated_at, row.updated_by = plain, now, actor.user_id
    session.flush()
    after = _stored(session)
    changed = audit.diff({k: before.get(k, DEFAULTS[k]) for k in changes}, {k: after[k] for k in changes})
    if changed:
        audit.record(session, AUDIT, entity="sales_settings", entity_id="sales", action="updated", actor=actor,
                     changes=changed)
        uow.emit(SalesSettingsChanged, actor=actor, sections=sorted(changed))
    return dump(current(session))
