"""Accounts: create, read, list, update, delete — visibility, duplicates, status rules, audit and events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm_contracts import jsonio, normalize
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden
from crm_contracts.events import AccountCreated, AccountUpdated
from crm_contracts.identity import Identity
from sqlalchemy import false, literal, or_, select, union_all
from sqlalchemy.orm import Session, lazyload

from . import dedupe, receivables, segment_filter
from .access import ACCOUNT_WRITERS, require, visible
from .concurrency import flush
from .lookup import GONE, by_code, check_version, get
from .models import AUDIT, Account, AccountLine, AccountTag

SORTS = {name: getattr(Account, name) for name in
         ("name", "customer_code", "created_at", "updated_at", "status", "tier", "region")}
FILTERS = ("status", "tier", "size", "region", "owner_id", "team", "industry")
SNAPSHOT = ("customer_code", "name", "status", "tier", "owner_id", "team", "region", "industry", "phone", "email")
AUDITED = ("customer_code", "name", "tax_id", "industry", "size", "region", "business_lines", "status", "tier",
           "owner_id", "team", "tags", "custom_attributes", "phone", "email", "website", "address")
# Moves a request may make; pending_review → active only through a review decision.
PLAIN = tuple(k for k in AUDITED if k not in ("tags", "business_lines")) + (
    "review_decision", "review_reason", "reviewed_by", "reviewed_at", "created_at", "updated_at", "version")
TIMES = ("reviewed_at", "created_at", "updated_at")
TRANSITIONS = {
    "prospect": ("pending_review", "churned"),
    "pending_review": ("prospect",),
    "active": ("dormant", "churned"),
    "dormant": ("active", "churned"),
    "churned": ("prospect", "pending_review"),
}


def state(account: Account) -> dict[str, Any]:
    """The audited fields as plain values (lists copied out of their association proxies)."""
    values = {k: getattr(account, k) for k in AUDITED}
    values["tags"], values["business_lines"] = sorted(account.tags), sorted(account.business_lines)
    return values


def set_labels(account: Account, *, tags: Iterable[str] | None = None, lines: Iterable[str] | None = None) -> None:
    """Replace tags / business lines, keeping unchanged rows (no delete-and-reinsert of the same key)."""
    for rows, values, make, key in ((account.tag_rows, tags, AccountTag, "tag"),
                                    (account.line_rows, lines, AccountLine, "line")):
        if values is None:
            continue
        wanted = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        rows[:] = [r for r in rows if getattr(r, key) in wanted]
        present = {getattr(r, key) for r in rows}
        rows.extend(make(**{key: v}) for v in wanted if v not in present)


def snapshot(account: Account) -> dict[str, Any]:
    return {"account_id": account.id, "version": account.version, "tags": sorted(account.tags),
            "merged_into": account.merged_into_id, **{k: getattr(account, k) for k in SNAPSHOT}}


def record_change(uow: UnitOfWork, actor: Identity | None, account: Account, before: dict[str, Any],
                  action: str = "updated", **extra: Any) -> dict[str, Any]:
    """Audit and publish a change made to ``account`` since ``before``; returns the field diff."""
    changes = audit.diff(before, state(account))
    if not changes and not extra:
        return changes
    account.updated_at = utcnow()
    flush(uow.session, f"Account {account.customer_code}")  # bumps version; fails on a concurrent writer
    audit.record(uow.session, AUDIT, entity="account", entity_id=account.id, action=action, actor=actor,
                 changes={**changes, **extra})
    uow.emit(AccountUpdated, actor=actor, changed=sorted(set(changes) | set(extra)), **snapshot(account))
    return changes


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any], allow_duplicate: bool = False) -> Account:
    require(actor, ACCOUNT_WRITERS, "create accounts")
    if actor.role == "sales_rep":
        # A rep's new customer is their own, in their region and team; managers assign others.
        data.update(region=actor.region or data["region"], owner_id=actor.user_id,
                    team=data.get("team") or actor.team)
    elif actor.role == "sales_manager" and data["region"] != actor.region:
        raise Forbidden("Sales managers create accounts in their own region only.")
    session = uow.session
    if session.scalar(select(Account.id).where(Account.customer_code == data["customer_code"])):
        raise Conflict(f"customer_code {data['customer_code']} is already used.",
                       errors={"customer_code": ["Already used by another account."]})
    if not allow_duplicate:
        candidates = dedupe.find(session, actor, name=data["name"], phone=data.get("phone"),
                                 email=data.get("email"), tax_id=data.get("tax_id"))
        if candidates:
            raise Conflict("This looks like an existing customer; check the candidates, or create it anyway "
                           "with allow_duplicate=true.", duplicates=candidates)
    tags, lines = data.pop("tags"), data.pop("business_lines")
    now = utcnow()
    account = Account(**data, name_key=normalize.company_name(data["name"]), created_at=now, updated_at=now,
                      created_by=actor.user_id)
    set_labels(account, tags=tags, lines=lines)
    session.add(account)
    flush(session, f"Account {account.customer_code}")
    receivables.adopt(uow, account)  # invoices the TMS sent before the account existed
    audit.record(session, AUDIT, entity="account", entity_id=account.id, action="created", actor=actor,
                 changes=audit.diff({}, state(account)))
    uow.emit(AccountCreated, actor=actor, **snapshot(account))
    return account


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Account], str | None]:
    # Labels come from labels_of() for the whole page, so the rows load without their collections.
    stmt = visible(select(Account).where(Account.status.not_in(GONE))
                   .options(lazyload(Account.tag_rows), lazyload(Account.line_rows)), actor)
    for name in FILTERS:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Account, name) == query[name])
    if query.get("tag"):
        stmt = stmt.where(Account.tag_rows.any(AccountTag.tag == query["tag"]))
    if query.get("business_line"):
        stmt = stmt.where(Account.line_rows.any(AccountLine.line == query["business_line"]))
    if query.get("customer_code"):
        found = by_code(session, query["customer_code"])
        stmt = stmt.where(Account.id == found.id if found else false())
    if query.get("segment_id"):
        stmt = stmt.where(segment_filter.condition(segment_filter.definition_of(session, query["segment_id"])))
    if query.get("q"):
        stmt = stmt.where(_search(query["q"]))
    return paginate(session, stmt, id_column=Account.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def _search(text: str) -> Any:
    """``?q=``: the normalised name contains it, the customer code starts with it, or the tax id is it."""
    text = text.strip()
    options = [Account.customer_code.like(f"{text}%"), Account.tax_id == normalize.tax_id(text)]
    key = normalize.company_name(text)
    if key:
        options.append(Account.name_key.contains(key, autoescape=True))
    return or_(*options)


def _check_transition(account: Account, status: str | None) -> None:
    if status is None or status == account.status:
        return
    if status not in TRANSITIONS.get(account.status, ()):
        hint = " Approve it through its review instead." if status == "active" else ""
        raise Conflict(f"An account cannot go from {account.status} to {status}.{hint}",
                       errors={"status": [f"Allowed from {account.status}: "
                                          f"{', '.join(TRANSITIONS.get(account.status, ())) or 'none'}."]})


def _check_reassignment(actor: Identity, account: Account, data: dict[str, Any]) -> None:
    moving = {k for k in ("owner_id", "region", "team") if k in data and data[k] != getattr(account, k)}
    if actor.role == "sales_rep" and moving:
        raise Forbidden("Sales reps may not reassign accounts or move them to another region or team.")
    if actor.role == "sales_manager" and data.get("region", actor.region) != actor.region:
        raise Forbidden("Sales managers keep accounts within their own region.")


def update(uow: UnitOfWork, actor: Identity, account_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Account:
    account = get(uow.session, actor, account_id, lock=True)
    require(actor, ACCOUNT_WRITERS, "change accounts")
    check_version(f"Account {account_id}", account.version, expected_version)
    _check_reassignment(actor, account, data)
    _check_transition(account, data.get("status"))
    before = state(account)
    set_labels(account, tags=data.pop("tags", None), lines=data.pop("business_lines", None))
    for key, value in data.items():
        setattr(account, key, value)
    if "name" in data:
        account.name_key = normalize.company_name(data["name"])
    record_change(uow, actor, account, before)
    return account


def delete(uow: UnitOfWork, actor: Identity, account_id: str, expected_version: int | None = None) -> Account:
    """Retire an account for good (admin only); its code and history stay, reads answer 404."""
    account = get(uow.session, actor, account_id, lock=True)
    require(actor, ("admin",), "delete accounts")
    check_version(f"Account {account_id}", account.version, expected_version)
    before = state(account)
    account.status = "deleted"
    record_change(uow, actor, account, before, action="deleted")
    return account


def labels_of(session: Session, ids: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Tags and business lines of many accounts in one round trip, without loading ORM rows."""
    rows = session.execute(union_all(
        select(AccountTag.account_id, literal("tag"), AccountTag.tag).where(AccountTag.account_id.in_(ids)),
        select(AccountLine.account_id, literal("line"), AccountLine.line).where(AccountLine.account_id.in_(ids)),
    )).all() if ids else []
    labels: dict[str, tuple[list[str], list[str]]] = {i: ([], []) for i in ids}
    for account_id, kind, value in rows:
        labels[account_id][0 if kind == "tag" else 1].append(value)
    return {i: (sorted(tags), sorted(lines)) for i, (tags, lines) in labels.items()}


def page_out(session: Session, items: list[Account]) -> list[dict[str, Any]]:
    labels = labels_of(session, [a.id for a in items])
    return [to_out(a, labels[a.id]) for a in items]


def to_out(account: Account, labels: tuple[list[str], list[str]] | None = None) -> dict[str, Any]:
    """The account as the API shows it; ``labels`` (tags, lines) when already fetched for a page."""
    tags, lines = labels or (sorted(account.tags), sorted(account.business_lines))
    out = {"id": account.id, **{k: getattr(account, k) for k in PLAIN}, "tags": tags, "business_lines": lines}
    for key in TIMES:  # the only values that are not JSON already (custom attributes come from JSON)
        out[key] = jsonio.to_jsonable(out[key])
    return out
