"""Running one lead import: stream the rows, validate, deduplicate in one pass, create, report.

The whole job is one transaction, so a file that turns out malformed, mis-encoded or too long halfway
imports nothing. Rows go in batches: each batch is checked against the database in a few queries
(earlier batches of the same file are already in it, which is how in-file duplicates across batches
are caught) and against earlier rows of its own batch in memory, then written with COPY. Progress is
written beside the transaction so callers can watch it. Runs in a process of its own:
``python -m crm_sales.importer serve`` (jobs by id on stdin, as ``runner`` drives it) or ``… JOB_ID``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from crm_contracts import config
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import UnitOfWork, make_engine
from crm_contracts.chassis.types import utcnow
from crm_contracts.events.sales import LeadImportFinished
from crm_contracts.identity import Identity
from crm_contracts.payloads.lead_imports import IMPORT_MAX_ROWS
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import importfile, load, settings
from .importbatch import BatchWriter, Tally
from .importrows import RowChecker
from .models import AUDIT, TABLES, ImportChunk, LeadImport

BATCH = 2000
log = logging.getLogger(__name__)


def _chunks(engine: Engine, import_id: str, count: int) -> Iterator[bytes]:
    """The upload, one chunk per query, so at most one chunk is in memory."""
    for seq in range(count):
        with Session(engine) as session:
            data = session.scalar(select(ImportChunk.data).where(ImportChunk.import_id == import_id,
                                                                 ImportChunk.seq == seq))
        if data is None:
            raise importfile.ImportFailed(f"Chunk {seq} of the upload is missing.")
        yield bytes(data)


def _batches(rows: Iterator[list[str]]) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    number = 0
    for cells in rows:
        if not "".join(cells).strip():
            continue  # blank lines are not rows
        number += 1
        if number > IMPORT_MAX_ROWS:
            raise importfile.ImportFailed(f"The file has more than {IMPORT_MAX_ROWS:,} rows; split it.")
        batch.append((number, cells))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class Progress:
    """Counts written outside the import's transaction (PostgreSQL only: SQLite has one writer)."""

    def __init__(self, engine: Engine, import_id: str) -> None:
        self.engine, self.import_id = engine, import_id
        self.enabled = engine.dialect.name == "postgresql"

    def report(self, tally: Tally) -> None:
        if not self.enabled:
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(update(LeadImport).where(LeadImport.id == self.import_id)
                         .values(processed_rows=tally.total, heartbeat_at=utcnow(), **tally.counts()))


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


def _run(engine: Engine, job: LeadImport, encoding: str | None, now: datetime) -> Tally:
    progress = Progress(engine, job.id)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if engine.dialect.name == "postgresql":
            # The statistics never see the rows this transaction adds, so the planner would scan the
            # whole growing table for every batch's duplicate probes; the indexes answer them.
            session.execute(text("SET LOCAL enable_seqscan = off"))
        uow = UnitOfWork(session, TABLES)
        rows = importfile.rows(_chunks(engine, job.id, job.chunks), job.format, encoding or "utf-8")
        header = next(rows, None)
        if header is None:
            raise importfile.ImportFailed("The file is empty.")
        checker = RowChecker(header, {"source": job.options.get("source") or "import",
                                      "source_detail": job.options.get("source_detail"), "region": job.region})
        writer = BatchWriter(uow, job, Identity(**job.actor | {"scopes": tuple(job.actor.get("scopes") or ())}),
                             settings.current(session), now)
        for batch in _batches(rows):
            writer.write(checker, batch)
            progress.report(writer.tally)
        for user_id, count in writer.owned.items():
            load.add(session, user_id, count)
        if writer.assigner is not None:
            writer.assigner.save_cursors()
        _finish(uow, job, writer.tally, encoding, "completed")
        return writer.tally


def _fail(engine: Engine, job: LeadImport, reason: str) -> None:
    with Session(engine) as session, session.begin():
        _finish(UnitOfWork(session, TABLES), job, Tally(), None, "failed", reason)


def process(engine: Engine, import_id: str, now: datetime | None = None) -> str:
    """Import a claimed job; returns its final status. Never raises for a bad file."""
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(LeadImport, import_id)
    if job is None or job.status != "running":
        return job.status if job else "missing"
    wanted = job.options.get("encoding") or "auto"
    candidates = [None] if job.format == "xlsx" else list(importfile.AUTO) if wanted == "auto" else [wanted]
    for encoding in candidates:
        try:
            _run(engine, job, encoding, now or utcnow())
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
