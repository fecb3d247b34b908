"""Announcing what an import created: ``lead.imported`` events of up to ``batch`` leads each, in file order.

Each event's envelope (its id, time, actor and job) is built and validated by the contract
(``events.base.build``) with its lists empty; the lists are the created leads' own columns. On
PostgreSQL the database aggregates them into the bodies and writes the outbox rows in one statement,
so the leads never travel to Python and back: for 100,000 rows the lists come to 6 MB of JSON, and
reading, checking and encoding them cost more than the rest of the import after staging. SQLite reads
them in blocks and emits one event per block.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import UtcDateTime, utcnow
from crm_contracts.events.base import build
from crm_contracts.events.sales import LeadsImported
from crm_contracts.identity import Identity
from sqlalchemy import bindparam, text

from .importfates import created_leads

LISTS = {"lead_ids": "id", "sources": "source", "grades": "grade", "owner_ids": "owner_id", "regions": "region"}

# One outbox row per batch of created leads: the envelope's JSON without its closing brace (``heads``,
# one per batch, in order), then each list aggregated in file order. The lists are window aggregates
# over each whole batch, so one sort orders all five (an ordered aggregate sorts its own input on
# PostgreSQL 15), and the leads are read in file order from the import's index rather than gathered
# by bitmap and sorted (``announce`` turns bitmap scans off): 0.11 s against 0.15 s for 100,000 rows.
_BODY = " || ".join(["e.head", *(f"',\"{name}\":' || b.{name}" for name in LISTS), "'}'"])
_AGGREGATES = ", ".join(f"json_agg({column}) OVER whole AS {name}" for name, column in LISTS.items())
_ANNOUNCE = f"""
INSERT INTO outbox (event_id, exchange, routing_key, body, created_at, attempts)
SELECT e.event_id, :exchange, :routing_key, {_BODY}, :created_at, 0
  FROM (SELECT batch, {_AGGREGATES}, row_number() OVER (PARTITION BY batch ORDER BY import_row) AS place
          FROM (SELECT {", ".join(LISTS.values())}, import_row,
                       (row_number() OVER (ORDER BY import_row) - 1) / :batch AS batch
                  FROM leads WHERE import_id = :import_id) created
        WINDOW whole AS (PARTITION BY batch ORDER BY import_row
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) b
  JOIN unnest(CAST(:event_ids AS text[]), CAST(:heads AS text[])) WITH ORDINALITY AS e(event_id, head, n)
    ON e.n = b.batch + 1
 WHERE b.place = 1
 ORDER BY b.batch"""


def announce(uow: UnitOfWork, import_id: str, actor: Identity, now: datetime, batch: int, created: int) -> None:
    """Emit the events for the ``created`` leads of the job."""
    if uow.session.get_bind().dialect.name != "postgresql":
        _emit_each(uow, import_id, actor, now, batch)
        return
    envelopes = [_envelope(import_id, actor, now) for _ in range(-(-created // batch))]
    if not envelopes:
        return
    uow.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    written = uow.session.execute(text(_ANNOUNCE).bindparams(bindparam("created_at", type_=UtcDateTime())), {
        "exchange": LeadsImported.exchange(), "routing_key": LeadsImported.routing_key, "created_at": utcnow(),
        "batch": batch, "import_id": import_id, "event_ids": [envelope["event_id"] for envelope in envelopes],
        "heads": [jsonio.dumps(envelope)[:-1] for envelope in envelopes]}).rowcount
    uow.session.execute(text("SET LOCAL enable_bitmapscan = on"))
    if written != len(envelopes):  # a batch without its envelope would be an event lost
        raise RuntimeError(f"import {import_id}: {written} lead.imported events written for {created} leads")


def _envelope(import_id: str, actor: Identity, now: datetime) -> dict[str, Any]:
    envelope = build(LeadsImported, actor=actor, import_id=import_id, created_at=now, **dict.fromkeys(LISTS, []))
    for name in LISTS:
        del envelope[name]
    return envelope


def _emit_each(uow: UnitOfWork, import_id: str, actor: Identity, now: datetime, batch: int) -> None:
    leads: Iterator[Sequence[Any]] = created_leads(uow.session, import_id, batch, *LISTS.values())
    while block := list(islice(leads, batch)):
        uow.emit(LeadsImported, actor=actor, import_id=import_id, created_at=now,
                 **dict(zip(LISTS, ([*column] for column in zip(*block, strict=True)), strict=True)))
        # The unit of work keeps every staged body until commit; the outbox row holds it already,
        # and a million-row import must not hold them all in memory.
        uow.emitted.clear()
