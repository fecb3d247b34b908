"""Lead import jobs: the chunked upload, queueing, claiming by one worker, progress and per-row fates.

uploading ──(all chunks in)──► queued ──(a runner claims it)──► running ──► completed | failed
A job that stops beating while running (its process died) is queued again; nothing of it was
committed, since a job imports in one transaction.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.paging import _encode, paginate, parse_sort
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.identity import Identity
from crm_contracts.payloads.lead_imports import IMPORT_CHUNK_BYTES, IMPORT_MAX_BYTES
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import access, chunkstore
from .models import ImportChunk, ImportRow, Lead, LeadImport

STALE_AFTER = timedelta(minutes=2)
UPLOAD_TIMEOUT = timedelta(hours=1)
MAX_ATTEMPTS = 3
SORTS = {"created_at": LeadImport.created_at}
OPTIONS = ("encoding", "source", "source_detail", "region", "assign")


def begin(session: Session, actor: Identity, data: dict[str, Any]) -> LeadImport:
    access.require(actor, access.LEAD_CREATORS, "import leads")
    region = data.get("region") or actor.region
    if actor.role in ("sales_rep", "sales_manager") and region != actor.region:
        raise ValidationFailed(errors={"region": ["Import leads into your own region."]})
    if data["assign"] == "me" and actor.role not in access.SELLERS:
        raise ValidationFailed(errors={"assign": ["Only sales staff take imported leads themselves."]})
    job = LeadImport(filename=data["filename"], format=data["format"], status="uploading",
                     size_bytes=data["size_bytes"], options={k: data.get(k) for k in OPTIONS} | {"region": region},
                     actor=asdict(actor) | {"scopes": list(actor.scopes)}, created_by=actor.user_id, region=region,
                     created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def _mine(session: Session, actor: Identity, import_id: str) -> LeadImport:
    job = session.get(LeadImport, str(import_id))
    if job is None or not (job.created_by == actor.user_id or access.may_manage(actor, job.region)
                           or actor.role == "admin"):
        raise NotFound(f"Import {import_id} was not found.")
    return job


def fail(session: Session, job: LeadImport, reason: str) -> LeadImport:
    job.status, job.error, job.finished_at = "failed", reason, utcnow()
    session.execute(delete(ImportChunk).where(ImportChunk.import_id == job.id))
    return job


def add_chunk(session: Session, actor: Identity, import_id: str, seq: int, data: str,
              compressed: bool = False) -> LeadImport:
    """Store one chunk, base64 (of a zlib stream if ``compressed``). Chunks of one upload may arrive
    together (the gateway sends the next while this one is stored): the chunk rows go in side by side,
    and the job's counts are added up in the database, under the job row's lock, as the last step."""
    job = _mine(session, actor, import_id)
    if job.status != "uploading":
        raise Conflict(f"Import {import_id} is {job.status}; it takes no more data.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(errors={"data": ["Not base64."]}) from None
    size = _inflated_size(raw) if compressed else len(raw)
    if size > IMPORT_CHUNK_BYTES:
        raise ValidationFailed(errors={"data": [f"A chunk holds at most {IMPORT_CHUNK_BYTES} bytes."]})
    if chunkstore.store(session, job.id, seq, raw, data, compressed):  # a retry counts once
        counted = session.execute(
            update(LeadImport).where(LeadImport.id == job.id, LeadImport.status == "uploading")
            .values(received_bytes=LeadImport.received_bytes + size, chunks=LeadImport.chunks + 1)
            .returning(LeadImport.id)).first()
        if counted is None:  # failed or finished meanwhile: this chunk goes with the rollback
            raise Conflict(f"Import {import_id} takes no more data.")
        session.refresh(job)
    if job.received_bytes > min(job.size_bytes, IMPORT_MAX_BYTES):
        fail(session, job, f"The upload is larger than announced ({job.size_bytes} bytes) or than 50 MB.")
    return job


def _inflated_size(packed: bytes) -> int:
    """The size of a compressed chunk, inflating at most one byte more than a chunk may hold: a small
    stream that would inflate to gigabytes stops there (and is refused as too large)."""
    inflate = zlib.decompressobj()
    try:
        size = len(inflate.decompress(packed, IMPORT_CHUNK_BYTES + 1))
    except zlib.error:
        raise ValidationFailed(errors={"data": ["Not a zlib stream."]}) from None
    if size <= IMPORT_CHUNK_BYTES and not (inflate.eof and not inflate.unused_data):
        raise ValidationFailed(errors={"data": ["Not one whole zlib stream."]})
    return size


def finish_upload(session: Session, actor: Identity, import_id: str) -> LeadImport:
    job = _mine(session, actor, import_id)
    if job.status != "uploading":
        raise Conflict(f"Import {import_id} is {job.status}.")
    seqs = session.scalars(select(ImportChunk.seq).where(ImportChunk.import_id == job.id)
                           .order_by(ImportChunk.seq)).all()
    if job.received_bytes != job.size_bytes or list(seqs) != list(range(len(seqs))):
        return fail(session, job, f"The upload is incomplete: {job.received_bytes} of {job.size_bytes} bytes "
                                  f"in {len(seqs)} chunk(s).")
    job.status = "queued"
    return job


def get(session: Session, actor: Identity, import_id: str) -> LeadImport:
    return _mine(session, actor, import_id)


def list_(session: Session, actor: Identity, query: dict[str, Any]) -> tuple[list[LeadImport], str | None]:
    access.require(actor, (*access.LEAD_CREATORS, "analyst"), "see imports")
    stmt = select(LeadImport)
    if actor.role == "sales_manager":
        stmt = stmt.where(LeadImport.region == actor.region)
    elif actor.role != "admin":
        stmt = stmt.where(LeadImport.created_by == actor.user_id)
    if query.get("status"):
        stmt = stmt.where(LeadImport.status == query["status"])
    return paginate(session, stmt, id_column=LeadImport.id, allowed_sorts=SORTS, default_sort=["-created_at"],
                    sort=query.get("sort"), cursor=query.get("cursor"), limit=query.get("limit", 50))


def rows(session: Session, actor: Identity, import_id: str,
         query: dict[str, Any]) -> tuple[list[ImportRow], str | None]:
    """A page of a job's report, in row order. Rows that created nothing have a stored line; a created
    row's line is made from its lead (the importer does not write those twice). Each source is read
    a page at a time by its own index, (import_id, row), and the two pages merged."""
    job = _mine(session, actor, import_id)
    limit, fate = query.get("limit", 50), query.get("fate")
    order = parse_sort(query.get("sort"), {"row": ImportRow.row}, [])
    stored_page: list[ImportRow] = []
    stored_more = created_more = None
    if fate != "created":
        stmt = select(ImportRow).where(ImportRow.import_id == job.id)
        if fate:
            stmt = stmt.where(ImportRow.fate == fate)
        stored_page, stored_more = paginate(session, stmt, id_column=ImportRow.row,
                                            allowed_sorts={"row": ImportRow.row}, default_sort=[],
                                            sort=query.get("sort"), cursor=query.get("cursor"), limit=limit)
    created_page: list[ImportRow] = []
    if fate in (None, "created"):
        leads, created_more = paginate(session, select(Lead).where(Lead.import_id == job.id),
                                       id_column=Lead.import_row, allowed_sorts={"row": Lead.import_row},
                                       default_sort=[], sort=query.get("sort"), cursor=query.get("cursor"),
                                       limit=limit)
        created_page = [ImportRow(import_id=job.id, row=lead.import_row, fate="created", company=lead.company,
                                  lead_id=lead.id) for lead in leads]
    merged = sorted(stored_page + created_page, key=lambda line: line.row, reverse=bool(order and order[0][1]))
    page = merged[:limit]
    more = len(merged) > limit or stored_more is not None or created_more is not None
    # Either source's cursor for this row (paginate's: each sort value, then the id; all of them the row).
    return page, (_encode([page[-1].row] * (len(order) + 1)) if page and more else None)


def claim_next(session: Session, now: datetime | None = None) -> str | None:
    """Take the oldest queued job for this process; None when there is none (or another took it)."""
    now = now or utcnow()
    job_id = session.scalar(select(LeadImport.id).where(LeadImport.status == "queued")
                            .order_by(LeadImport.created_at).limit(1))
    if job_id is None:
        return None
    taken = session.execute(update(LeadImport).where(LeadImport.id == job_id, LeadImport.status == "queued")
                            .values(status="running", started_at=now, heartbeat_at=now,
                                    attempts=LeadImport.attempts + 1)).rowcount
    return job_id if taken == 1 else None


def recover(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Requeue running jobs whose worker stopped beating; fail abandoned uploads and repeat crashers."""
    now = now or utcnow()
    stale = session.scalars(select(LeadImport).where(LeadImport.status == "running",
                                                     LeadImport.heartbeat_at < now - STALE_AFTER)).all()
    counts = {"requeued": 0, "failed": 0}
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            fail(session, job, f"The import stopped {job.attempts} times without finishing.")
            counts["failed"] += 1
        else:
            job.status, job.heartbeat_at = "queued", None
            counts["requeued"] += 1
    for job in session.scalars(select(LeadImport).where(LeadImport.status == "uploading",
                                                        LeadImport.created_at < now - UPLOAD_TIMEOUT)).all():
        fail(session, job, "The upload was never finished.")
        counts["failed"] += 1
    return counts


def progress(job: LeadImport) -> float:
    if job.status in ("completed", "failed"):
        return 1.0
    if not job.total_rows:
        return 0.0 if job.status != "running" else min(0.99, job.processed_rows / 1_000_000)
    return min(1.0, job.processed_rows / job.total_rows)


def to_out(job: LeadImport) -> dict[str, Any]:
    return jsonio.to_jsonable({
        "id": job.id, "filename": job.filename, "format": job.format, "encoding": job.encoding,
        "status": job.status, "error": job.error, "size_bytes": job.size_bytes,
        "received_bytes": job.received_bytes, "total_rows": job.total_rows, "processed_rows": job.processed_rows,
        "progress": round(progress(job), 4), "options": job.options, "created_by": job.created_by,
        "counts": {"created": job.created, "duplicate": job.duplicate, "invalid": job.invalid,
                   "skipped": job.skipped},
        "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at})


def row_out(row: ImportRow) -> dict[str, Any]:
    return {"row": row.row, "fate": row.fate, "lead_id": row.lead_id, "company": row.company,
            "reason": row.reason, "duplicate_of": row.duplicate_of, "matched_on": row.matched_on or [],
            "errors": row.errors or {}}
