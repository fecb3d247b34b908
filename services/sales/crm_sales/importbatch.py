"""One batch of import rows: decide each row's fate, write the new leads and every fate in bulk,
and publish the batch's leads in one ``lead.imported`` event.

Fates: invalid (field errors) · skipped (already a customer: matches an account or its contact, or a
converted lead) · duplicate (of an existing lead, of an earlier row of this file, matched on which
keys) · created. The first matching key decides; customers win over leads.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from crm_contracts import normalize
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.events.sales import LeadsImported
from crm_contracts.identity import Identity

from . import bulk, dedupe, directory
from .assignment import Assigner
from .grading import compile_grading
from .importrows import Checked, RowChecker
from .models import LEAD_TEXT_FIELDS, ImportRow, Lead, LeadImport, RepLoad

FATES = ("created", "duplicate", "invalid", "skipped")
LEAD_COLUMNS = (*LEAD_TEXT_FIELDS, "id", "name_key", "grade", "score", "status", "owner_id", "team", "assigned_at",
                "last_activity_at", "import_id", "import_row", "created_by", "created_at", "updated_at", "version")
FATE_COLUMNS = ("import_id", "row", "fate", "company", "lead_id", "reason", "duplicate_of", "matched_on", "errors")
LEAD_ROW = itemgetter(*LEAD_COLUMNS)


@dataclass
class Tally:
    created: int = 0
    duplicate: int = 0
    invalid: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.created + self.duplicate + self.invalid + self.skipped

    def counts(self) -> dict[str, int]:
        return {fate: getattr(self, fate) for fate in FATES}


@dataclass
class BatchWriter:
    uow: UnitOfWork
    job: LeadImport
    actor: Identity
    rules: dict[str, Any]
    now: datetime
    tally: Tally = field(default_factory=Tally)
    owned: dict[str, int] = field(default_factory=dict)
    assigner: Assigner | None = None

    def __post_init__(self) -> None:
        self.ids = new_ids()
        self.grade = compile_grading(self.rules["grading"])
        mode = self.job.options.get("assign") or "rules"
        limit = self.rules["pool"]["claim_limit"]
        if mode == "rules":
            self.assigner = Assigner(self.uow.session, self.rules["assignment"]["rules"], limit)
        self.me = directory.Owner.acting(self.uow.session, self.actor) if mode == "me" else None
        if self.me is not None:
            row = self.uow.session.get(RepLoad, self.me.user_id)
            self.my_room = limit - (row.open_leads if row else 0)

    def _owner(self, values: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
        """(owner_id, team, region) for a new lead: the uploader, the rules, or the pool."""
        if self.me is not None and self.my_room > 0:
            self.my_room -= 1
            return self.me.user_id, self.me.team, values.get("region") or self.me.region
        if self.assigner is not None and (placed := self.assigner.place(values)):
            owner = placed.owner
            return owner.user_id, owner.team, values.get("region") or owner.region
        return None, None, values.get("region")

    def _lead(self, number: int, values: dict[str, Any], name_key: str) -> dict[str, Any]:
        values["grade"], values["score"] = self.grade(values)
        owner_id, team, region = self._owner(values)
        if owner_id:
            self.owned[owner_id] = self.owned.get(owner_id, 0) + 1
        now = self.now
        return {**{k: values.get(k) for k in LEAD_TEXT_FIELDS}, "id": next(self.ids), "region": region,
                "name_key": name_key, "grade": values["grade"],
                "score": values["score"], "status": "assigned" if owner_id else "pool", "owner_id": owner_id,
                "team": team, "assigned_at": now if owner_id else None, "last_activity_at": now,
                "import_id": self.job.id, "import_row": number, "created_by": self.actor.user_id,
                "created_at": now, "updated_at": now, "version": 1}

    def _fate(self, number: int, checked: Checked, fate: str, **extra: Any) -> tuple[Any, ...]:
        setattr(self.tally, fate, getattr(self.tally, fate) + 1)
        company = (checked.company or "")[:200] or None
        return (self.job.id, number, fate, company, extra.get("lead_id"), extra.get("reason"),
                extra.get("duplicate_of"), extra.get("matched_on") or [], checked.errors or {})

    def _judge(self, number: int, checked: Checked, matches: list[dedupe.Match],
               earlier: dedupe.Match | None) -> tuple[Any, ...] | None:
        """The fate row of a valid row that is not new; None if it is new."""
        if matches and matches[0].is_customer:
            m = matches[0]
            what = "an opportunity" if m.opportunity_id else "a customer"
            return self._fate(number, checked, "skipped", reason=f"Already {what} (matched on "
                              f"{', '.join(m.matched_on)}).", duplicate_of=m.describe(), matched_on=m.matched_on)
        match = matches[0] if matches else earlier
        if match is None:
            return None
        where = f"row {match.row}" if match.kind == "row" else f"lead {match.id}"
        return self._fate(number, checked, "duplicate", duplicate_of=match.describe(), matched_on=match.matched_on,
                          reason=f"Duplicate of {where} (matched on {', '.join(match.matched_on)}).")

    def write(self, checker: RowChecker, batch: list[tuple[int, list[str]]]) -> None:
        checked = [(n, checker.check(cells)) for n, cells in batch]
        valid = [(n, c) for n, c in checked if c.values is not None]
        keys = [dedupe.Keys(normalize.company_name(c.values["company"]), c.values.get("phone"), c.values.get("fax"),
                            c.values.get("email")) for _, c in valid]
        found = iter(dedupe.find(self.uow.session, keys, import_id=self.job.id))
        seen: dict[tuple[str, str], tuple[int, str]] = {}
        fates: list[tuple[Any, ...]] = []
        leads: list[dict[str, Any]] = []
        for (number, c), k in zip(valid, keys, strict=True):
            probes = _probes(k)
            fate = self._judge(number, c, next(found), _earlier(seen, probes))
            if fate is not None:
                fates.append(fate)
                continue
            lead = self._lead(number, c.values, k.name)
            leads.append(lead)
            fates.append(self._fate(number, c, "created", lead_id=lead["id"]))
            for probe in probes:
                seen.setdefault(probe, (number, lead["id"]))
        fates += [self._fate(n, c, "invalid", reason="Invalid fields: " + ", ".join(sorted(c.errors)))
                  for n, c in checked if c.values is None]
        self._store(leads, fates)

    def _store(self, leads: list[dict[str, Any]], fates: list[tuple[Any, ...]]) -> None:
        session = self.uow.session
        bulk.insert(session, Lead.__table__, LEAD_COLUMNS, [LEAD_ROW(lead) for lead in leads])
        bulk.insert(session, ImportRow.__table__, FATE_COLUMNS, sorted(fates, key=lambda f: f[1]))
        if leads:
            self.uow.emit(LeadsImported, actor=self.actor, import_id=self.job.id, created_at=self.now,
                          lead_ids=[lead["id"] for lead in leads], sources=[lead["source"] for lead in leads],
                          grades=[lead["grade"] for lead in leads], owner_ids=[lead["owner_id"] for lead in leads],
                          regions=[lead["region"] for lead in leads])
            # The unit of work keeps every staged body until commit; the outbox row holds it already,
            # and a million-row import must not hold them all in memory.
            self.uow.emitted.clear()


def new_ids(block: int = 4096) -> Iterator[str]:
    """Random (version 4) UUIDs, drawing randomness a block at a time rather than per id."""
    while True:
        pool = os.urandom(16 * block)
        for i in range(0, len(pool), 16):
            yield str(uuid.UUID(bytes=pool[i:i + 16], version=4))


def _probes(k: dedupe.Keys) -> list[tuple[str, str]]:
    probes = [("name", k.name)] if k.name else []
    probes += [("phone", v) for _, v in k.phones]
    return probes + ([("email", k.email)] if k.email else [])


def _earlier(seen: dict[tuple[str, str], tuple[int, str]], probes: list[tuple[str, str]]) -> dedupe.Match | None:
    """The first earlier row of this batch sharing one of ``probes``."""
    hits = [(probe, seen[probe]) for probe in probes if probe in seen]
    if not hits:
        return None
    row, lead_id = min(hit for _, hit in hits)
    how = [probe[0] for probe, hit in hits if hit == (row, lead_id)]
    return dedupe.Match(kind="row", id=lead_id, matched_on=how, status="created", row=row)
