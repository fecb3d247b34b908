"""Who may see and change what in the customer service.

Row visibility is the shared rule of ``crm_contracts.access`` turned into SQL. On top of it: which
roles may write accounts, review them, edit credit, merge, and which see credit and contact PII.
A check that fails raises before anything is changed, so a denied write changes nothing.
"""

from __future__ import annotations

from typing import Any

from crm_contracts.access import can_see_account, scope_clause
from crm_contracts.errors import Forbidden
from crm_contracts.identity import Identity
from sqlalchemy import Select

from .models import Account

ACCOUNT_WRITERS = ("admin", "sales_manager", "sales_rep")
REVIEWERS = ("admin", "finance", "sales_manager")
MERGERS = ("admin", "sales_manager")
CREDIT_READERS = ("admin", "finance", "sales_manager", "sales_rep")
CREDIT_WRITERS = ("admin", "finance")
PII_READERS = ("admin", "sales_manager", "sales_rep", "service_manager", "service_agent", "finance", "customer")
SEGMENT_READERS = ("admin", "sales_manager", "sales_rep", "marketing", "analyst", "service_manager", "finance")
SEGMENT_WRITERS = ("admin", "sales_manager", "sales_rep", "marketing")


def visible(stmt: Select, who: Identity, account: Any = Account) -> Select:
    """``stmt`` limited to rows whose ``account`` (the model or an alias of it) ``who`` may see."""
    clause = scope_clause(who, account_id=account.id, owner_id=account.owner_id, team=account.team,
                          region=account.region)
    return stmt if clause is None else stmt.where(clause)


def can_see(who: Identity, account: Account) -> bool:
    return can_see_account(who, account_id=account.id, owner_id=account.owner_id, team=account.team,
                           region=account.region)


def require(who: Identity, roles: tuple[str, ...], doing: str) -> None:
    if who.role not in roles:
        raise Forbidden(f"Your role ({who.role}) may not {doing}.")


def sees_credit(who: Identity) -> bool:
    return who.role in CREDIT_READERS


def sees_pii(who: Identity) -> bool:
    return who.role in PII_READERS
