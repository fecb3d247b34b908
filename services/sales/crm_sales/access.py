"""Who may see and change sales records: the shared account rule applied to each record's own
owner, team and region, plus the public pool, which every sales role of the lead's region sees."""

from __future__ import annotations

from typing import Any

from crm_contracts.access import scope_clause
from crm_contracts.errors import Forbidden, PreconditionFailed
from crm_contracts.identity import Identity
from sqlalchemy import Select, and_, or_

MANAGERS = ("admin", "sales_manager")
SELLERS = ("admin", "sales_manager", "sales_rep")
LEAD_CREATORS = (*SELLERS, "marketing")


def require_staff(actor: Identity) -> None:
    """Portal users have no business with leads, pipeline or pricing."""
    if actor.role == "customer":
        raise Forbidden("Customers have no access to sales records.")


def require(actor: Identity, roles: tuple[str, ...], what: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"Your role may not {what}.")


def visible(stmt: Select, actor: Identity, model: Any) -> Select:
    """Restrict ``stmt`` to rows of ``model`` (owner_id, team, region columns) the actor may see."""
    require_staff(actor)
    clause = scope_clause(actor, account_id=getattr(model, "account_id", None), owner_id=model.owner_id,
                          team=model.team, region=model.region)
    return stmt if clause is None else stmt.where(clause)


def visible_leads(stmt: Select, actor: Identity, model: Any) -> Select:
    """Like ``visible``, and a rep also sees the pool of their own region."""
    require_staff(actor)
    clause = scope_clause(actor, account_id=model.account_id, owner_id=model.owner_id, team=model.team,
                          region=model.region)
    if clause is None:
        return stmt
    if actor.role == "sales_rep" and actor.region:
        clause = or_(clause, and_(model.status == "pool", model.region == actor.region))
    return stmt.where(clause)


def may_manage(actor: Identity, region: str | None) -> bool:
    """Admins anywhere; sales managers within their region."""
    return actor.role == "admin" or (actor.role == "sales_manager" and actor.region is not None
                                     and region == actor.region)


def require_owner_or_manager(actor: Identity, owner_id: str | None, region: str | None, what: str) -> None:
    if owner_id is not None and owner_id == actor.user_id and actor.role in SELLERS:
        return
    if may_manage(actor, region):
        return
    raise Forbidden(f"Only the owner or a manager of the region may {what}.")


def check_version(entity: str, ident: str, current: int, expected: int | None) -> None:
    """``If-Match``: a write based on an older version is refused (412)."""
    if expected is not None and int(expected) != current:
        raise PreconditionFailed(f"{entity} {ident} has changed (version {current}); reload it and try again.")
