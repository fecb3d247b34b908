"""What the sales side knows about one account, for the 360 view: owner, open opportunities,
recent quotes and contracts."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from . import access, opportunities, quotes
from .models import AccountView, Contract, Opportunity, Quote

RECENT = 5
# Built once: constructing a statement costs more CPU than running it, and a statement object reused
# keeps its cache key. The caller's scope is added per call (for roles that have one).
OPEN_OPPORTUNITIES = (select(Opportunity).where(Opportunity.account_id == bindparam("account_id"),
                                                Opportunity.status == "open")
                      .order_by(Opportunity.expected_close, Opportunity.id).limit(20))
RECENT_QUOTES = (select(Quote).where(Quote.account_id == bindparam("account_id"), Quote.status != "superseded")
                 .order_by(Quote.created_at.desc()).limit(RECENT))
LIVE_CONTRACTS = (select(Contract).where(Contract.account_id == bindparam("account_id"),
                                         Contract.status.in_(("pending_approval", "approved")))
                  .order_by(Contract.renewal_date).limit(RECENT))


def account_summary(session: Session, actor: Identity, account_id: str) -> dict[str, Any]:
    row = session.get(AccountView, str(account_id))
    if row is None or not account_view.visible_to(actor, row):
        raise NotFound(f"Account {account_id} is not known to sales.")
    params = {"account_id": row.account_id}
    opps = session.scalars(access.visible(OPEN_OPPORTUNITIES, actor, Opportunity), params).all()
    recent_quotes = session.scalars(access.visible(RECENT_QUOTES, actor, Quote), params).all()
    contracts = session.scalars(access.visible(LIVE_CONTRACTS, actor, Contract), params).all()
    return jsonio.to_jsonable({
        "account_id": row.account_id, "owner_id": row.owner_id, "team": row.team, "region": row.region,
        "status": row.status, "known_since": row.first_seen_at, "synced_version": row.version,
        "open_opportunities": opportunities.page_out(session, list(opps)),
        "recent_quotes": [quotes.to_out(q) for q in recent_quotes],
        "contracts": [{"id": c.id, "number": c.number, "status": c.status, "renewal_date": c.renewal_date,
                       "total": {"amount": c.total, "currency": c.currency}} for c in contracts],
    })
