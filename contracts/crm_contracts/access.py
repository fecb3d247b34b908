"""Who may see a customer's records: one rule for every service that holds them.

admin and read-wide roles see everything; sales managers their region; sales reps their own and their
team's accounts within their region; portal users their own account only.
"""

from __future__ import annotations

from typing import Any

from .identity import Identity

READ_ALL_ROLES = ("admin", "service_manager", "service_agent", "finance", "analyst", "marketing")


def can_see_account(
    who: Identity, *, account_id: Any, owner_id: Any, team: str | None, region: str | None
) -> bool:
    if who.role in READ_ALL_ROLES:
        return True
    if who.role == "customer":
        return who.account_id is not None and str(who.account_id) == str(account_id)
    if who.role == "sales_manager":
        return who.region is not None and region == who.region
    if who.role == "sales_rep":
        if who.region is None or region != who.region:
            return False
        return str(owner_id) == who.user_id or (who.team is not None and team == who.team)
    return False


def account_scope_filter(who: Identity) -> dict[str, Any] | None:
    """The same rule as data for a query builder: ``None`` means no restriction.

    Keys: ``account_id`` (exact), ``region`` (exact), ``owner_or_team`` ((owner_id, team)).
    An empty ``deny`` key means nothing is visible.
    """
    if who.role in READ_ALL_ROLES:
        return None
    if who.role == "customer":
        return {"account_id": who.account_id} if who.account_id else {"deny": True}
    if who.role == "sales_manager":
        return {"region": who.region} if who.region else {"deny": True}
    if who.role == "sales_rep":
        if not who.region:
            return {"deny": True}
        return {"region": who.region, "owner_or_team": (who.user_id, who.team)}
    return {"deny": True}


def scope_clause(who: Identity, *, account_id: Any, owner_id: Any, team: Any, region: Any) -> Any:
    """The rule as a SQLAlchemy condition over the given columns (``None`` = no restriction)."""
    from sqlalchemy import and_, false, or_

    scope = account_scope_filter(who)
    if scope is None:
        return None
    if scope.get("deny"):
        return false()
    conditions = []
    if "account_id" in scope:
        conditions.append(account_id == scope["account_id"])
    if "region" in scope:
        conditions.append(region == scope["region"])
    if "owner_or_team" in scope:
        owner, my_team = scope["owner_or_team"]
        conditions.append(or_(owner_id == owner, team == my_team) if my_team else owner_id == owner)
    return and_(*conditions)
