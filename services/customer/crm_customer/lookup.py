"""Finding accounts: by id for a caller (visibility, merged and deleted accounts), by customer code
for integrations (following merges), and the optimistic-lock check every write shares."""

from __future__ import annotations

import uuid
from typing import Any

from crm_contracts.errors import NotFound, PreconditionFailed
from crm_contracts.identity import Identity
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .access import can_see, visible
from .models import Account

GONE = ("merged", "deleted")
MAX_MERGE_HOPS = 20


def follow_merges(session: Session, account: Account | None) -> Account | None:
    """The live account a (possibly merged) account now lives on; None for a deleted one."""
    for _ in range(MAX_MERGE_HOPS):
        if account is None or account.status != "merged":
            break
        account = session.get(Account, account.merged_into_id)
    return None if account is None or account.status in GONE else account


def survivor_id(session: Session, account_id: Any) -> str | None:
    """The id of the live account ``account_id`` stands for (itself unless merged); None when gone."""
    try:
        account = session.get(Account, canonical_id(account_id))
    except NotFound:
        return None
    live = follow_merges(session, account)
    return None if live is None else live.id


def by_code(session: Session, customer_code: str) -> Account | None:
    """The live account for a customer code, following merges (TMS and ERP keep using old codes)."""
    return follow_merges(session, session.scalar(select(Account).where(Account.customer_code == customer_code)))


def _gone(session: Session, actor: Identity, account: Account) -> NotFound:
    survivor = follow_merges(session, account)
    pointer: dict[str, Any] = {}
    if survivor is not None and can_see(actor, survivor):
        pointer = {"merged_into": survivor.id, "merged_into_code": survivor.customer_code}
    return NotFound(f"Account {account.id} was {account.status}.", **pointer)


def canonical_id(account_id: Any) -> str:
    """The account id in the form every service stores, or NotFound for something that is no id."""
    try:
        return str(uuid.UUID(str(account_id)))
    except ValueError:
        raise NotFound(f"Account {account_id} was not found.") from None


def get(session: Session, actor: Identity, account_id: Any, *, lock: bool = False) -> Account:
    """A live account the actor may see, else NotFound (naming the survivor of a merged account)."""
    # One round trip for the row with its tags and business lines (lists use selectin instead).
    stmt = visible(select(Account).where(Account.id == str(account_id))
                   .options(joinedload(Account.tag_rows), joinedload(Account.line_rows)), actor)
    account = session.scalars(stmt.with_for_update(of=Account) if lock else stmt).unique().first()
    if account is None:
        raise NotFound(f"Account {account_id} was not found.")
    if account.status in GONE:
        raise _gone(session, actor, account)
    return account


def get_any(session: Session, actor: Identity, account_id: Any) -> Account:
    """A visible account whatever its status (merge checks tell 'merged' apart from 'missing')."""
    account = session.scalar(visible(select(Account).where(Account.id == str(account_id)), actor))
    if account is None or account.status == "deleted":
        raise NotFound(f"Account {account_id} was not found.")
    return account


def check_version(what: str, version: int, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != version:
        raise PreconditionFailed(f"{what} has changed (now version {version}); reload it and try again.")
