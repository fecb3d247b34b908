"""Duplicate control for leads (查重), one query set per batch: normalised name, phone and fax (E.164,
either against either), and e-mail — against leads, against accounts (the sales read model, by name)
and against their contacts (phone and e-mail).

A match against an account or contact, or a lead already converted, means "already a customer /
opportunity"; a match against another lead is a duplicate of that lead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, any_, cast, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from .models import AccountView, Lead, PartyKey

CONVERTED = ("converting", "converted")


class Keys:
    """What a prospect is compared by; ``phones`` pairs each number with the field it came from."""

    __slots__ = ("email", "name", "phones")

    def __init__(self, name: str, phone: str | None = None, fax: str | None = None, email: str | None = None):
        self.name, self.email = name, email
        self.phones = (("phone", phone),) if phone else ()
        if fax:
            self.phones += (("fax", fax),)


@dataclass
class Match:
    kind: str  # lead | account | row
    id: str | None
    matched_on: list[str] = field(default_factory=list)
    status: str | None = None
    row: int | None = None
    opportunity_id: str | None = None

    @property
    def is_customer(self) -> bool:
        return self.kind == "account" or (self.kind in ("lead", "row") and self.status in CONVERTED)

    def describe(self) -> dict:
        return {"kind": self.kind, "id": self.id, "row": self.row, "status": self.status}


def _add(found: dict[tuple[str, str | None], Match], kind: str, ident: str, how: str, **extra) -> None:
    match = found.setdefault((kind, ident), Match(kind=kind, id=ident, **extra))
    if how not in match.matched_on:
        match.matched_on.append(how)


def _among(session: Session, column: Any, values: set[str]) -> Any:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``, one parameter however many values
    (an import batch probes thousands, and rendering each as a parameter costs more than the query)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(cast(list(values), ARRAY(String)))
    return column.in_(values)


def _lead_index(session: Session, keys: Sequence[Keys]) -> dict[tuple[str, str], list]:
    names = {k.name for k in keys if k.name}
    phones = {v for k in keys for _, v in k.phones}
    emails = {k.email for k in keys if k.email}
    clauses = [_among(session, Lead.name_key, names)] if names else []
    if phones:
        clauses += [_among(session, Lead.phone, phones), _among(session, Lead.fax, phones)]
    if emails:
        clauses.append(_among(session, Lead.email, emails))
    index: dict[tuple[str, str], list] = defaultdict(list)
    if not clauses:
        return index
    stmt = select(Lead.id, Lead.status, Lead.name_key, Lead.phone, Lead.fax, Lead.email, Lead.opportunity_id,
                  Lead.import_id, Lead.import_row).where(or_(*clauses))
    for lead in session.execute(stmt):
        index[("name", lead.name_key)].append(lead)
        for value in (lead.phone, lead.fax):
            if value:
                index[("phone", value)].append(lead)
        if lead.email:
            index[("email", lead.email)].append(lead)
    return index


def _party_index(session: Session, keys: Sequence[Keys]) -> dict[tuple[str, str], set[str]]:
    names = {k.name for k in keys if k.name}
    phones = {v for k in keys for _, v in k.phones}
    emails = {k.email for k in keys if k.email}
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    if names:
        for account_id, name_key in session.execute(select(AccountView.account_id, AccountView.name_key).where(
                _among(session, AccountView.name_key, names), AccountView.status != "merged")):
            index[("name", name_key)].add(account_id)
    contact_keys = [(PartyKey.kind == "phone") & _among(session, PartyKey.key, phones)] if phones else []
    if emails:
        contact_keys.append((PartyKey.kind == "email") & _among(session, PartyKey.key, emails))
    if contact_keys:
        for kind, key, account_id in session.execute(select(PartyKey.kind, PartyKey.key, PartyKey.account_id)
                                                     .where(or_(*contact_keys))):
            index[(kind, key)].add(account_id)
    return index


def find(session: Session, keys: Sequence[Keys], import_id: str | None = None) -> list[list[Match]]:
    """For each ``Keys``, what it matches in the database (customers first, then leads)."""
    leads = _lead_index(session, keys)
    parties = _party_index(session, keys)
    answers = []
    for k in keys:
        probes = [("name", "name", k.name)] + [(how, "phone", v) for how, v in k.phones]
        if k.email:
            probes.append(("email", "email", k.email))
        found: dict[tuple[str, str | None], Match] = {}
        for how, kind, value in probes:
            for account_id in parties.get((kind, value), ()):
                _add(found, "account", account_id, how)
            for lead in leads.get((kind, value), ()):
                same_file = import_id is not None and lead.import_id == import_id
                _add(found, "row" if same_file else "lead", lead.id, how, status=lead.status,
                     row=lead.import_row if same_file else None, opportunity_id=lead.opportunity_id)
        answers.append(sorted(found.values(), key=lambda m: (not m.is_customer, m.kind != "account")))
    return answers
