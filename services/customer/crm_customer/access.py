"""Visibility of accounts as SQL, from the shared rule in ``crm_contracts.access``."""

from __future__ import annotations

from crm_contracts.access import scope_clause
from crm_contracts.identity import Identity
from sqlalchemy import Select

from .models import Account


def visible(stmt: Select, who: Identity) -> Select:
    clause = scope_clause(who, account_id=Account.id, owner_id=Account.owner_id, team=Account.team,
                          region=Account.region)
    return stmt if clause is None else stmt.where(clause)


def may_write(who: Identity) -> bool:
    return who.role in ("admin", "sales_manager", "sales_rep")
