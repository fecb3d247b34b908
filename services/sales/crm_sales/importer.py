"""Running one lead import: stream the rows into leads, decide every fate in SQL, keep the new, report.

The whole job is one transaction, so a file that turns out malformed, mis-encoded or too long halfway
imports nothing. The rows are checked as they stream out of the upload and each valid one is staged
as a pool lead in a COPY that runs while the file is parsed (``importstage``); the fates of all of
them are then decided at once, and the rows that are not new reported and their staged leads deleted
again, set-based (``importfates``); owners are placed when the job assigns them (``importowners``),
and the created leads announced in ``lead.imported`` events of up to ``BATCH`` leads
(``importevents``). Progress is written beside the transaction so callers can watch it. Runs in a
process of its own: ``python -m crm_sales.importer serve`` (jobs by id on stdin, as ``runner`` drives
it) or ``… JOB_ID``.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import IO

from crm_contracts import config
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork, make_engine
from crm_contracts.chassis.types import utcnow
from crm_contracts.events.sales import LeadImportFinished
from crm_contracts.identity import Identity
from crm_contracts.payloads.lead_imports import IMPORT_MAX_ROWS
from sqlalchemy import delete, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import chunkstore, importevents, importfates, importfile, importstage, load, settings
from .grading import compile_row_grading
from .importowners import Owners
from .importrows import RowChecker
from .models import AUDIT, TABLES, ImportChunk, LeadImport

BATCH = 2000  # rows per staging block and progress report; leads per lead.imported event
REPORT_EVERY = 0.25  # seconds between progress writes at most
FATES = ("created", "duplicate", "invalid", "skipped")
log = logging.getLogger(__name__)


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


class Progress:
    """Counts written outside the import's transaction (PostgreSQL only: SQLite has one writer), at
    most every ``REPORT_EVERY`` seconds: while rows are staged, how many were read and how many were
    invalid; the other fates once the whole file is in and decided."""

    def __init__(self, engine: Engine, import_id: str) -> None:
        self.engine, self.import_id = engine, import_id
        self.enabled = engine.dialect.name == "postgresql"
        self.last = 0.0
        self.counts: dict[str, int] = {}

    def report(self, processed: int, invalid: int | None = None, force: bool = False) -> None:
        if invalid is not None:
            self.counts["invalid"] = invalid
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < REPORT_EVERY):
            return
        self.last = now
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(update(LeadImport).where(LeadImport.id == self.import_id)
                         .values(processed_rows=processed, heartbeat_at=utcnow(), **self.counts))


def _finish(uow: UnitOfWork, job: LeadImport, tally: Tally, encoding: str | None, status: str,
            error: str | None = None) -> None:
    session = uow.session
    session.execute(update(LeadImport).where(LeadImport.id == job.id).values(
        status=status, error=error, encoding=encoding, total_rows=tally.total if status == "completed" else None,
        processed_rows=tally.total, finished_at=utcnow(), heartbeat_at=utcnow(), **tally.counts()))
    session.execute(delete(ImportChunk).where(ImportChunk.import_id == job.id))
    # One record for the job: each created lead carries import_id and row, and the job's row report
    # says what became of every row (leads.history shows a lead's creation from them).
    audit.record(session, AUDIT, entity="lead_import", entity_id=job.id, action=status, actor=None,
                 changes={"status": {"old": "running", "new": status}, "error": {"old": None, "new": error},
                          **{k: {"old": 0, "new": v} for k, v in tally.counts().items()}})
    uow.emit(LeadImportFinished, actor=None, import_id=job.id, filename=job.filename, status=status, error=error,
             created_by=job.created_by, total_rows=tally.total if status == "completed" else None,
             **tally.counts())


def _assign(session: Session, job: LeadImport, owners: Owners, now: datetime) -> None:
    """Place the owners of the created leads, in file order, and hand the leads to them."""
    if not owners.needed:
        return
    importfates.create_owners_table(session)
    rows = importfates.created_leads(session, job.id, BATCH, "import_row", "grade", "source", "region")
    while block := list(islice(rows, BATCH)):
        importfates.store_owners(session, owners.place(block))
    importfates.own(session, job.id, now)


def _run(engine: Engine, job: LeadImport, encoding: str | None) -> Tally:
    progress = Progress(engine, job.id)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        now = utcnow()
        if engine.dialect.name == "postgresql":
            # The job's time is its transaction's, which the columns the staging COPY leaves to the
            # database's defaults take (``importstage.DEFAULTED``).
            now = session.scalar(text("SELECT now()")).astimezone(UTC)
            # Big one-off statements: compiling them (JIT) costs more than it saves, their hashes and
            # sorts should stay in memory, and a merge join of keys (text sorted by collation) is never
            # the plan to take: hash the new keys, or probe the indexes when leads are many. The
            # statistics of leads do not count this transaction's rows, so the planner needs telling.
            session.execute(text("SET LOCAL jit = off"))
            session.execute(text("SET LOCAL work_mem = '64MB'"))
            session.execute(text("SET LOCAL enable_mergejoin = off"))
        uow = UnitOfWork(session, TABLES)
        rows = importfile.rows(chunkstore.read(engine, job.id, job.chunks), job.format, encoding or "utf-8")
        header = next(rows, None)
        if header is None:
            raise importfile.ImportFailed("The file is empty.")
        checker = RowChecker(header, {"source": job.options.get("source") or "import",
                                      "source_detail": job.options.get("source_detail"), "region": job.region})
        rules = settings.current(session)
        actor = Identity(**job.actor | {"scopes": tuple(job.actor.get("scopes") or ())})
        stager = importstage.Stager(checker, compile_row_grading(rules["grading"], checker.fields),
                                    import_id=job.id, created_by=actor.user_id, now=now, block=BATCH,
                                    limit=IMPORT_MAX_ROWS, progress=progress.report)
        before = importfates.leads_before(session)
        started = time.monotonic()
        stager.load(session, rows)
        staged_at = time.monotonic()
        progress.report(stager.total, stager.invalid, force=True)
        staged = stager.total - stager.invalid
        tally = Tally(invalid=stager.invalid, **importfates.decide(session, job.id, staged, stager.candidates,
                                                                             before))
        tally.created = stager.total - tally.total
        progress.counts = tally.counts()
        importfates.settle(session, job.id)
        owners = Owners(session, job.options.get("assign") or "rules", actor, rules)
        _assign(session, job, owners, now)
        importevents.announce(uow, job.id, actor, now, BATCH, tally.created)
        for user_id, count in owners.owned.items():
            load.add(session, user_id, count)
        if owners.assigner is not None:
            owners.assigner.save_cursors()
        importfates.drop(session)
        _finish(uow, job, tally, encoding, "completed")
        log.info("import %s: %d rows staged in %.2fs, decided, created and announced in %.2fs", job.id,
                 tally.total, staged_at - started, time.monotonic() - staged_at)
        return tally


def _fail(engine: Engine, job: LeadImport, reason: str) -> None:
    with Session(engine) as session, session.begin():
        _finish(UnitOfWork(session, TABLES), job, Tally(), None, "failed", reason)


def process(engine: Engine, import_id: str) -> str:
    """Import a claimed job; returns its final status. Never raises for a bad file."""
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(LeadImport, import_id)
    if job is None or job.status != "running":
        return job.status if job else "missing"
    wanted = job.options.get("encoding") or "auto"
    candidates = [None] if job.format == "xlsx" else list(importfile.AUTO) if wanted == "auto" else [wanted]
    for encoding in candidates:
        try:
            _run(engine, job, encoding)
            return "completed"
        except importfile.WrongEncoding as exc:
            failure = str(exc) if len(candidates) == 1 else (
                "The file is neither UTF-8 nor GBK/GB18030 text; save it in one of those encodings.")
        except importfile.ImportFailed as exc:
            failure = str(exc)
            break
    _fail(engine, job, failure)
    return "failed"


def serve(engine: Engine, requests: IO[bytes], answers: IO[bytes]) -> None:
    """Run the jobs whose ids arrive one a line; answer each with ``<id> <status>``. A warm process
    keeps the interpreter start and imports out of every import's time."""
    try:
        with engine.connect():  # and a pooled connection ready for the first job
            pass
    except Exception:  # noqa: BLE001 - a database not up yet is the first job's problem
        log.warning("no database connection yet")
    for line in requests:
        import_id = line.decode().strip()
        if not import_id:
            continue
        try:
            status = process(engine, import_id)
        except Exception:  # noqa: BLE001 - a database outage fails this job's attempt, not the worker
            log.exception("import %s failed", import_id)
            status = "error"
        answers.write(f"{import_id} {status}\n".encode())
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crm_sales.importer IMPORT_ID | serve", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s importer %(levelname)s %(message)s")
    engine = make_engine(config.database_url("sales"), pool_size=2)
    try:
        if args[0] == "serve":
            serve(engine, sys.stdin.buffer, sys.stdout.buffer)
        else:
            print(f"import {args[0]}: {process(engine, args[0])}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
