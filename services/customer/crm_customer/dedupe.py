"""Duplicate control (查重): which existing accounts look like the same customer, and why.

Exact matches compare normalised forms (name without legal suffixes, E.164 phone, lower-case e-mail,
compact tax code) against accounts and their contacts. Near matches on the name are found with a
trigram index on PostgreSQL (``pg_trgm``), or a scan on SQLite, and scored with rapidfuzz.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from crm_contracts import jsonio, normalize
from crm_contracts.identity import Identity
from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from .access import can_see
from .models import AUDIT, Account, Contact, ContactKey

SIMILAR_NAME = 85.0  # rapidfuzz ratio (0-100) from which two normalised names are "similar"
TRIGRAM_PREFILTER = 0.3  # pg_trgm similarity that lets a name through to the rapidfuzz score
MAX_CANDIDATES = 10
HISTORY_PER_CANDIDATE = 3
_STRENGTH = {"tax_id": 0, "name": 1, "phone": 2, "email": 2, "contact_phone": 3, "contact_email": 3}
LIVE = Account.status.not_in(("merged", "deleted"))


def _exact(session: Session, keys: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    columns = {"name": Account.name_key, "phone": Account.phone, "email": Account.email, "tax_id": Account.tax_id}
    wanted = [(field, columns[field], value) for field, value in keys.items() if field in columns]
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if wanted:
        stmt = select(Account.id, *[c for _, c, _ in wanted]).where(LIVE, or_(*[c == v for _, c, v in wanted]))
        for row in session.execute(stmt.limit(50)):
            for i, (field, _, value) in enumerate(wanted):
                if row[i + 1] == value:
                    found[row[0]].append({"field": field, "how": "exact", "score": 1.0})
    for kind in ("phone", "email"):
        if keys.get(kind):
            stmt = (select(Contact.account_id).distinct().join(ContactKey, ContactKey.contact_id == Contact.id)
                    .where(ContactKey.kind == kind, ContactKey.value == keys[kind], Contact.deleted_at.is_(None))
                    .limit(50))
            for account_id in session.scalars(stmt):
                found[account_id].append({"field": f"contact_{kind}", "how": "exact", "score": 1.0})
    return found


def _name_candidates(session: Session, key: str) -> dict[str, str]:
    """Accounts whose normalised name may be near ``key``: id → name_key."""
    stmt = select(Account.id, Account.name_key).where(LIVE)
    if session.get_bind().dialect.name == "postgresql":
        # '%' uses the GIN trigram index; the threshold is per transaction.
        session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {TRIGRAM_PREFILTER}"))
        stmt = (stmt.where(Account.name_key.op("%")(key))
                .order_by(func.similarity(Account.name_key, key).desc()).limit(100))
    return dict(session.execute(stmt).tuples().all())


def similar_names(session: Session, name: str) -> list[tuple[str, float]]:
    """(account id, similarity 0-1) of accounts whose name is near but not equal to ``name``."""
    key = normalize.company_name(name)
    if len(key) < 2:
        return []
    choices = _name_candidates(session, key)
    scored = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=SIMILAR_NAME, limit=MAX_CANDIDATES + 1)
    return [(account_id, round(score / 100, 2)) for _, score, account_id in scored if choices[account_id] != key]


def _history(session: Session, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    rows = session.execute(
        select(AUDIT.c.entity_id, AUDIT.c.action, AUDIT.c.at, AUDIT.c.actor_name)
        .where(AUDIT.c.entity == "account", AUDIT.c.entity_id.in_(ids))
        .order_by(AUDIT.c.id.desc()).limit(HISTORY_PER_CANDIDATE * len(ids) * 4))
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity_id, action, at, actor_name in rows:
        if len(history[entity_id]) < HISTORY_PER_CANDIDATE:
            history[entity_id].append(jsonio.to_jsonable({"action": action, "at": at, "actor_name": actor_name}))
    return history


def _describe(account: Account, matched: list[dict[str, Any]], history: list[dict[str, Any]],
              visible: bool) -> dict[str, Any]:
    matched = sorted(matched, key=lambda m: (_STRENGTH[m["field"]], -m["score"]))
    if not visible:
        # Someone else's customer: say that it exists and why, not who it is.
        return {"visible": False, "matched_on": matched}
    return {"visible": True, **jsonio.to_jsonable({
        "id": account.id, "customer_code": account.customer_code, "name": account.name, "status": account.status,
        "region": account.region, "owner_id": account.owner_id, "created_at": account.created_at}),
        "matched_on": matched, "history": history}


def find(session: Session, actor: Identity, *, name: str | None = None, phone: str | None = None,
         email: str | None = None, tax_id: str | None = None, exclude_id: str | None = None) -> list[dict[str, Any]]:
    """Existing live accounts that look like the described customer, strongest match first."""
    keys = {"name": normalize.company_name(name), "phone": normalize.phone(phone) if phone else None,
            "email": normalize.email(email), "tax_id": normalize.tax_id(tax_id)}
    matches = _exact(session, {k: v for k, v in keys.items() if v})
    if name:
        for account_id, score in similar_names(session, name):
            matches[account_id].append({"field": "name", "how": "similar", "score": score})
    matches.pop(str(exclude_id), None)
    if not matches:
        return []
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(list(matches))))}
    ranked = sorted(accounts.values(), key=lambda a: min(
        (_STRENGTH[m["field"]], -m["score"]) for m in matches[a.id]))[:MAX_CANDIDATES]
    history = _history(session, [a.id for a in ranked])
    return [_describe(a, matches[a.id], history[a.id], can_see(actor, a)) for a in ranked]
