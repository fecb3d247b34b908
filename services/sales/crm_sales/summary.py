"""What the sales side knows about one account, for the 360 view."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.identity import Identity
from sqlalchemy.orm import Session

from .models import AccountView


def account_summary(session: Session, actor: Identity, account_id: str) -> dict[str, Any]:
    row = session.get(AccountView, str(account_id))
    if row is None or not account_view.visible_to(actor, row):
        raise NotFound(f"Account {account_id} is not known to sales.")
    return jsonio.to_jsonable({
        "account_id": row.account_id, "owner_id": row.owner_id, "team": row.team, "region": row.region,
        "status": row.status, "known_since": row.first_seen_at, "synced_version": row.version,
    })
