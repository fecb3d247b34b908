"""Running an import in a unit test as the gateway and the runner would."""

from __future__ import annotations

import base64
import zlib

from crm_contracts.chassis.validation import load
from crm_contracts.payloads.lead_imports import ImportStart
from crm_sales import importer, imports
from crm_sales.models import Lead
from sqlalchemy import func, select

HEADER = "company,contact,phone,fax,email,source,origin,destination\n"


def run_import(world, actor, content: bytes, fmt="csv", chunk=64, compress=False, **options):
    """Upload in small chunks (as the gateway does in 4 MB ones, ``compress``ed as it does), then process
    as the runner would."""
    with world.tx() as uow:
        job = imports.begin(uow.session, actor, load(ImportStart, {
            "filename": f"leads.{fmt}", "format": fmt, "size_bytes": len(content), **options}))
    for seq, start in enumerate(range(0, len(content), chunk)):
        piece = content[start:start + chunk]
        with world.tx() as uow:
            imports.add_chunk(uow.session, actor, job.id, seq,
                              base64.b64encode(zlib.compress(piece) if compress else piece).decode(), compress)
    with world.tx() as uow:
        imports.finish_upload(uow.session, actor, job.id)
    with world.tx() as uow:
        assert imports.claim_next(uow.session) == job.id
    importer.process(world.engine, job.id)
    with world.read() as session:
        job = imports.get(session, actor, job.id)
        rows, _ = imports.rows(session, actor, job.id, {"limit": 500})
        return imports.to_out(job), [imports.row_out(r) for r in rows]


def lead_count(world):
    with world.read() as session:
        return session.scalar(select(func.count()).select_from(Lead))
