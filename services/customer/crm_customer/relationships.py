"""Relationships: "``related`` is the ``type`` of ``account``" links between accounts.

parent / branch / subsidiary form the hierarchy: an account has at most one parent and no account is
its own ancestor. The other types (supplier, consignee, customs broker, trucker, destination agent)
are plain links. A link shows only while both ends are visible to the caller.
"""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound
from crm_contracts.events.customer import RelationshipCreated, RelationshipDeleted
from crm_contracts.identity import Identity
from crm_contracts.payloads.relationships import HIERARCHY_TYPES
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from . import lookup
from .access import ACCOUNT_WRITERS, require, visible
from .concurrency import flush
from .models import AUDIT, Account, Relationship

MAX_DEPTH = 100
HIERARCHY_LOCK = 7_310_421  # pg advisory lock key: hierarchy checks and writes run one at a time
LIVE = Relationship.deleted_at.is_(None)
SORTS = {"created_at": Relationship.created_at, "type": Relationship.type}


def edge(account_id: str, related_id: str, type_: str) -> tuple[str, str] | None:
    """(child, parent) of a hierarchy link; None for a party link."""
    if type_ == "parent":
        return account_id, related_id
    if type_ in HIERARCHY_TYPES:
        return related_id, account_id
    return None


def parent_of(session: Session, child_id: str, exclude_id: str | None = None) -> str | None:
    stmt = select(Relationship).where(LIVE, or_(
        and_(Relationship.account_id == child_id, Relationship.type == "parent"),
        and_(Relationship.related_account_id == child_id, Relationship.type.in_(("branch", "subsidiary")))))
    if exclude_id:
        stmt = stmt.where(Relationship.id != exclude_id)
    link = session.scalars(stmt.limit(1)).first()
    return None if link is None else edge(link.account_id, link.related_account_id, link.type)[1]


def hierarchy_problem(session: Session, child: str, parent: str, exclude_id: str | None = None) -> str | None:
    """Why ``child`` cannot get ``parent`` (second parent, cycle), or None when it can."""
    if parent_of(session, child, exclude_id) is not None:
        return "the account already has a parent"
    node: str | None = parent
    for _ in range(MAX_DEPTH):
        if node is None:
            return None
        if node == child:
            return "the link would make the hierarchy a cycle"
        node = parent_of(session, node, exclude_id)
    return f"the hierarchy would be deeper than {MAX_DEPTH} levels"


def lock_hierarchy(session: Session) -> None:
    """Serialise hierarchy changes on PostgreSQL so two concurrent links cannot close a cycle."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(HIERARCHY_LOCK)))


def _facts(link: Relationship) -> dict[str, Any]:
    return {"account_id": link.account_id, "related_account_id": link.related_account_id, "type": link.type,
            "note": link.note, "deleted": link.deleted_at is not None}


def _event_body(link: Relationship) -> dict[str, Any]:
    return {"relationship_id": link.id, "account_id": link.account_id,
            "related_account_id": link.related_account_id, "type": link.type}


def create(uow: UnitOfWork, actor: Identity, account_id: str, data: dict[str, Any]) -> tuple[Relationship, Account]:
    session = uow.session
    account = lookup.get(session, actor, account_id)
    require(actor, ACCOUNT_WRITERS, "link accounts")
    related = lookup.get(session, actor, data["related_account_id"])
    if related.id == account.id:
        raise Conflict("An account cannot be related to itself.")
    hierarchy = edge(account.id, related.id, data["type"])
    if hierarchy:
        lock_hierarchy(session)
    if session.scalar(select(Relationship.id).where(LIVE, Relationship.account_id == account.id,
                                                   Relationship.related_account_id == related.id,
                                                   Relationship.type == data["type"])):
        raise Conflict(f"{related.name} is already the {data['type']} of {account.name}.")
    problem = hierarchy and hierarchy_problem(session, *hierarchy)
    if problem:
        raise Conflict(f"Cannot link: {problem}.")
    link = Relationship(account_id=account.id, related_account_id=related.id, type=data["type"],
                        note=data.get("note"), created_at=utcnow(), created_by=actor.user_id)
    session.add(link)
    flush(session, "Relationship")
    audit.record(session, AUDIT, entity="relationship", entity_id=link.id, action="created", actor=actor,
                 changes=audit.diff({"deleted": False}, _facts(link)))
    uow.emit(RelationshipCreated, actor=actor, **_event_body(link))
    return link, related


def delete_(uow: UnitOfWork, actor: Identity, account_id: str, relationship_id: str) -> None:
    session = uow.session
    account = lookup.get(session, actor, account_id)
    require(actor, ACCOUNT_WRITERS, "unlink accounts")
    link = session.scalar(select(Relationship).where(
        LIVE, Relationship.id == str(relationship_id),
        or_(Relationship.account_id == account.id, Relationship.related_account_id == account.id)))
    if link is None:
        raise NotFound(f"Relationship {relationship_id} was not found.")
    other = link.related_account_id if link.account_id == account.id else link.account_id
    lookup.get(session, actor, other)  # a link to an account you cannot see does not exist for you
    close(uow, actor, link, "deleted")


def close(uow: UnitOfWork, actor: Identity | None, link: Relationship, action: str, **why: Any) -> None:
    before = _facts(link)
    link.deleted_at = utcnow()
    audit.record(uow.session, AUDIT, entity="relationship", entity_id=link.id, action=action, actor=actor,
                 changes={**audit.diff(before, _facts(link)), **why})
    uow.emit(RelationshipDeleted, actor=actor, **_event_body(link))


# The account at the other end of a link. One alias for every query: a new alias per call would make
# SQLAlchemy build the statement's cache key from scratch each time, the costliest part of the 360 view.
OTHER = aliased(Account, name="other_account")
# An account's live links to live accounts, built once (building costs more CPU than running it).
_OTHER_ID = case((Relationship.account_id == bindparam("account_id"), Relationship.related_account_id),
                 else_=Relationship.account_id)
LINKS_OF = (select(Relationship).join(OTHER, OTHER.id == _OTHER_ID)
            .where(LIVE, or_(Relationship.account_id == bindparam("account_id"),
                             Relationship.related_account_id == bindparam("account_id")),
                   OTHER.status.not_in(lookup.GONE)))


def list_(session: Session, actor: Identity, account_id: str, query: dict[str, Any]
          ) -> tuple[list[dict[str, Any]], str | None]:
    return links_of(session, actor, lookup.get(session, actor, account_id), query)


def links_of(session: Session, actor: Identity, account: Account, query: dict[str, Any]
             ) -> tuple[list[dict[str, Any]], str | None]:
    """A page of an account's live links (the account already checked as visible)."""
    stmt = visible(LINKS_OF, actor, OTHER)
    if query.get("type"):
        stmt = stmt.where(Relationship.type == query["type"])
    if query.get("direction"):
        side = Relationship.account_id if query["direction"] == "outgoing" else Relationship.related_account_id
        stmt = stmt.where(side == account.id)
    links, cursor = paginate(session, stmt, id_column=Relationship.id, allowed_sorts=SORTS,
                             default_sort=["created_at"], sort=query.get("sort"), cursor=query.get("cursor"),
                             limit=query.get("limit", 50), params={"account_id": account.id})
    ids = {link.related_account_id if link.account_id == account.id else link.account_id for link in links}
    others = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))} if ids else {}
    return [to_out(link, account.id, others) for link in links], cursor


def to_out(link: Relationship, seen_from: str, accounts: dict[str, Account]) -> dict[str, Any]:
    outgoing = link.account_id == seen_from
    other = accounts[link.related_account_id if outgoing else link.account_id]
    return jsonio.to_jsonable({
        "id": link.id, "account_id": link.account_id, "related_account_id": link.related_account_id,
        "type": link.type, "direction": "outgoing" if outgoing else "incoming", "note": link.note,
        "other": {"id": other.id, "customer_code": other.customer_code, "name": other.name, "status": other.status},
        "created_at": link.created_at,
    })
