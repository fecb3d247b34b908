"""Weighted pipeline by stage and forecast by month of expected close (amount × stage probability)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from crm_contracts.identity import Identity
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import access, settings
from .models import Opportunity

CENT = Decimal("0.01")


def _month_start(day: date, plus: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + plus
    return date(index // 12, index % 12 + 1, 1)


def _month_of(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _scoped(actor: Identity, query: dict[str, Any], *columns: Any) -> Any:
    stmt = access.visible(select(*columns), actor, Opportunity).where(Opportunity.status == "open",
                                                                       Opportunity.amount.is_not(None))
    for name in ("owner_id", "region", "team"):
        if query.get(name):
            stmt = stmt.where(getattr(Opportunity, name) == query[name])
    return stmt


def _money(value: Any) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def forecast(session: Session, actor: Identity, query: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    first = _month_start(query.get("start") or today or date.today())
    end = _month_start(first, query.get("months", 6))
    weighted = func.sum(Opportunity.amount * Opportunity.probability) / 100
    month = _month_of(session, Opportunity.expected_close)
    by_month = session.execute(
        _scoped(actor, query, month, Opportunity.currency, func.count(), func.sum(Opportunity.amount), weighted)
        .where(Opportunity.expected_close >= first, Opportunity.expected_close < end)
        .group_by(month, Opportunity.currency).order_by(month, Opportunity.currency)).all()
    stages = {s["key"]: s for s in settings.section(session, "stages")["stages"]}
    order = list(stages)
    by_stage = session.execute(
        _scoped(actor, query, Opportunity.stage, Opportunity.currency, func.count(), func.sum(Opportunity.amount),
                weighted).group_by(Opportunity.stage, Opportunity.currency)).all()
    pipeline = [{"stage": stage, "name": stages.get(stage, {}).get("name", stage),
                 "probability": stages.get(stage, {}).get("probability", 0), "currency": currency,
                 "opportunities": count, "amount": _money(amount), "weighted": _money(w)}
                for stage, currency, count, amount, w in by_stage]
    pipeline.sort(key=lambda p: (order.index(p["stage"]) if p["stage"] in order else len(order), p["currency"]))
    return {"months": [{"month": m, "currency": c, "opportunities": n, "amount": _money(a), "weighted": _money(w)}
                       for m, c, n, a, w in by_month],
            "pipeline": pipeline}
