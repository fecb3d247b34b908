"""Accounts: create, read, list, update — visibility, duplicates, audit and events included."""

from __future__ import annotations

from typing import Any

from crm_contracts import jsonio, normalize
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from crm_contracts.events import AccountCreated, AccountUpdated
from crm_contracts.identity import Identity
from crm_contracts.payloads.accounts import CUSTOM_ATTRIBUTES_MAX_BYTES, CUSTOM_ATTRIBUTES_MAX_KEYS
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .access import may_write, visible
from .models import AUDIT, Account

SORTS = {"name": Account.name, "customer_code": Account.customer_code, "created_at": Account.created_at,
         "updated_at": Account.updated_at, "status": Account.status, "tier": Account.tier}
FILTERS = ("status", "tier", "region", "owner_id", "team", "industry", "customer_code")
SNAPSHOT = ("customer_code", "name", "status", "tier", "owner_id", "team", "region", "industry")
AUDITED = ("customer_code", "name", "tax_id", "industry", "size", "region", "business_lines", "status", "tier",
           "owner_id", "team", "tags", "custom_attributes", "phone", "email", "website", "address")


def _check_custom_attributes(attrs: dict[str, Any] | None) -> None:
    if attrs is None:
        return
    if len(attrs) > CUSTOM_ATTRIBUTES_MAX_KEYS or len(jsonio.dumps(attrs)) > CUSTOM_ATTRIBUTES_MAX_BYTES:
        raise ValidationFailed(errors={"custom_attributes": [
            f"At most {CUSTOM_ATTRIBUTES_MAX_KEYS} keys and {CUSTOM_ATTRIBUTES_MAX_BYTES} bytes."]})


def _normalise_contact_fields(data: dict[str, Any]) -> None:
    if data.get("phone"):
        e164 = normalize.phone(data["phone"])
        if e164 is None:
            raise ValidationFailed(errors={"phone": ["Not a valid phone number."]})
        data["phone"] = e164
    if data.get("email"):
        data["email"] = normalize.email(data["email"])
    if data.get("tax_id"):
        data["tax_id"] = normalize.tax_id(data["tax_id"])


def find_duplicates(session: Session, *, name: str | None = None, phone: str | None = None,
                    email: str | None = None, tax_id: str | None = None,
                    exclude_id: str | None = None) -> list[dict[str, Any]]:
    """Existing accounts that look like the same customer, each with why it matched."""
    checks = []
    if name:
        checks.append(("name", Account.name_key, normalize.company_name(name)))
    if phone:
        checks.append(("phone", Account.phone, normalize.phone(phone)))
    if email:
        checks.append(("email", Account.email, normalize.email(email)))
    if tax_id:
        checks.append(("tax_id", Account.tax_id, normalize.tax_id(tax_id)))
    checks = [c for c in checks if c[2]]
    if not checks:
        return []
    stmt = select(Account).where(or_(*[col == value for _, col, value in checks])).limit(20)
    found = []
    for account in session.scalars(stmt):
        if account.id == exclude_id or account.status == "merged":
            continue
        reasons = [field for field, col, value in checks if getattr(account, col.key) == value]
        found.append({"id": account.id, "customer_code": account.customer_code, "name": account.name,
                      "matched_on": reasons})
    return found


def _snapshot(account: Account) -> dict[str, Any]:
    return {"account_id": account.id, "version": account.version,
            **{k: getattr(account, k) for k in SNAPSHOT}}


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any], allow_duplicate: bool = False) -> Account:
    if not may_write(actor):
        raise Forbidden("Your role may not create accounts.")
    if actor.role == "sales_rep":
        # A rep creates accounts in their own region, owned by themselves unless a manager assigns.
        data["region"] = actor.region or data["region"]
        data["owner_id"] = data.get("owner_id") or actor.user_id
    elif actor.role == "sales_manager" and data["region"] != actor.region:
        raise Forbidden("Sales managers create accounts in their own region only.")
    _check_custom_attributes(data.get("custom_attributes"))
    _normalise_contact_fields(data)
    session = uow.session
    if session.scalar(select(Account.id).where(Account.customer_code == data["customer_code"])):
        raise Conflict(f"customer_code {data['customer_code']} is already used.",
                       errors={"customer_code": ["Already used by another account."]})
    if not allow_duplicate:
        duplicates = find_duplicates(session, name=data["name"], phone=data.get("phone"),
                                     email=data.get("email"), tax_id=data.get("tax_id"))
        if duplicates:
            raise Conflict("This looks like an existing customer; check the candidates or create with "
                           "allow_duplicate=true.", duplicates=duplicates)
    now = utcnow()
    account = Account(**data, name_key=normalize.company_name(data["name"]), status="pending_review",
                      created_at=now, updated_at=now, created_by=actor.user_id)
    session.add(account)
    session.flush()
    audit.record(session, AUDIT, entity="account", entity_id=account.id, action="created", actor=actor,
                 changes=audit.diff({}, {k: getattr(account, k) for k in AUDITED}))
    uow.emit(AccountCreated, actor=actor, **_snapshot(account))
    return account


def get(session: Session, actor: Identity, account_id: str) -> Account:
    account = session.scalar(visible(select(Account).where(Account.id == str(account_id)), actor))
    if account is None or account.status == "merged":
        raise NotFound(f"Account {account_id} was not found.")
    return account


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[Account], str | None]:
    stmt = visible(select(Account).where(Account.status != "merged"), actor)
    for name in FILTERS:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Account, name) == query[name])
    if query.get("q"):
        like = f"%{query['q'].strip()}%"
        key = normalize.company_name(query["q"])
        stmt = stmt.where(or_(Account.name.ilike(like), Account.customer_code.ilike(like),
                              Account.name_key.like(f"%{key}%") if key else Account.name.ilike(like)))
    return paginate(session, stmt, id_column=Account.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def update(uow: UnitOfWork, actor: Identity, account_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Account:
    account = get(uow.session, actor, account_id)
    if not may_write(actor):
        raise Forbidden("Your role may not change accounts.")
    if expected_version is not None and int(expected_version) != account.version:
        raise PreconditionFailed(f"Account {account_id} has changed (version {account.version}); "
                                 "reload it and try again.")
    if actor.role == "sales_rep" and ("owner_id" in data or "region" in data):
        raise Forbidden("Sales reps may not reassign accounts or change their region.")
    _check_custom_attributes(data.get("custom_attributes"))
    _normalise_contact_fields(data)
    before = {k: getattr(account, k) for k in AUDITED}
    for key, value in data.items():
        setattr(account, key, value)
    if "name" in data:
        account.name_key = normalize.company_name(data["name"])
    changes = audit.diff(before, {k: getattr(account, k) for k in AUDITED})
    if not changes:
        return account
    account.updated_at = utcnow()
    uow.session.flush()  # bumps version (optimistic lock) and fails on a concurrent writer
    audit.record(uow.session, AUDIT, entity="account", entity_id=account.id, action="updated",
                 actor=actor, changes=changes)
    uow.emit(AccountUpdated, actor=actor, changed=sorted(changes), **_snapshot(account))
    return account


def to_out(account: Account) -> dict[str, Any]:
    return jsonio.to_jsonable({
        "id": account.id, **{k: getattr(account, k) for k in AUDITED},
        "created_at": account.created_at, "updated_at": account.updated_at, "version": account.version,
    })
