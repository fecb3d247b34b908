"""Lead import uploads: chunks as they arrive (plain or compressed, retried, too many or too few), and
the warm importer that takes the finished ones."""

from __future__ import annotations

import base64
import io
import zlib

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import ValidationFailed
from crm_contracts.payloads.lead_imports import IMPORT_CHUNK_BYTES, ImportStart
from crm_sales import importer, imports
from crm_sales.models import ImportChunk, Lead
from sqlalchemy import func, select

from .conftest import ON_BOTH
from .importing import HEADER, lead_count, run_import


def test_uploads_larger_than_announced_or_incomplete_fail_and_oversized_ones_are_refused(world, manager):
    with pytest.raises(ValidationFailed):
        load(ImportStart, {"filename": "big.csv", "format": "csv", "size_bytes": 50 * 1024 * 1024 + 1})
    with world.tx() as uow:
        job = imports.begin(uow.session, manager, load(ImportStart, {"filename": "a.csv", "format": "csv",
                                                                     "size_bytes": 4}))
        imports.add_chunk(uow.session, manager, job.id, 0, base64.b64encode(b"company\n").decode())
        assert (job.status, "larger than announced" in job.error) == ("failed", True)
    with world.tx() as uow:
        short = imports.begin(uow.session, manager, load(ImportStart, {"filename": "b.csv", "format": "csv",
                                                                       "size_bytes": 100}))
        imports.add_chunk(uow.session, manager, short.id, 0, base64.b64encode(b"company\n").decode())
        assert imports.finish_upload(uow.session, manager, short.id).status == "failed"


@ON_BOTH
def test_a_file_sent_in_compressed_chunks_imports_as_the_plain_file_does(world, manager):
    content = (HEADER + "".join(f"Firm {i},Li,1380000{i:04d},,f{i}@x.cn,referral,,\n" for i in range(40))).encode()

    job, rows = run_import(world, manager, content, chunk=100, compress=True)

    assert (job["status"], job["received_bytes"], job["counts"]["created"]) == ("completed", len(content), 40)
    with world.read() as session:
        assert session.scalar(select(func.count()).select_from(ImportChunk)) == 0  # gone with the job
        assert [session.get(Lead, r["lead_id"]).company for r in rows] == [f"Firm {i}" for i in range(40)]


@pytest.mark.parametrize("packed, error", [
    (b"not zlib at all", "Not a zlib stream."),
    (zlib.compress(b"company\nFirm\n")[:-3], "Not one whole zlib stream."),
    (zlib.compress(b"company\nFirm\n") + b"tail", "Not one whole zlib stream."),
    (zlib.compress(b"\0" * (IMPORT_CHUNK_BYTES + 1), 9), f"A chunk holds at most {IMPORT_CHUNK_BYTES} bytes."),
], ids=["garbage", "cut-short", "trailing-bytes", "inflates-too-far"])
def test_a_compressed_chunk_that_is_not_one_bounded_zlib_stream_is_refused_and_stores_nothing(
        world, manager, packed, error):
    with world.tx() as uow:
        job = imports.begin(uow.session, manager, load(ImportStart, {"filename": "z.csv", "format": "csv",
                                                                     "size_bytes": 100}))

    with pytest.raises(ValidationFailed) as refused, world.tx() as uow:
        imports.add_chunk(uow.session, manager, job.id, 0, base64.b64encode(packed).decode(), True)

    assert refused.value.errors == {"data": [error]}
    with world.read() as session:
        assert session.scalar(select(func.count()).select_from(ImportChunk)) == 0


@ON_BOTH
def test_a_chunk_sent_twice_is_stored_and_counted_once(world, manager):
    content = (HEADER + "Twice Sent Freight,,,,,,,\n").encode()
    with world.tx() as uow:
        job = imports.begin(uow.session, manager, load(ImportStart, {"filename": "t.csv", "format": "csv",
                                                                     "size_bytes": len(content)}))
    for _ in range(2):
        with world.tx() as uow:
            imports.add_chunk(uow.session, manager, job.id, 0, base64.b64encode(content).decode())

    with world.tx() as uow:
        assert (job := imports.finish_upload(uow.session, manager, job.id)).status == "queued"
        assert (job.chunks, job.received_bytes) == (1, len(content))
    with world.tx() as uow:
        imports.claim_next(uow.session)
    assert importer.process(world.engine, job.id) == "completed"
    assert lead_count(world) == 1


def test_the_warm_importer_answers_each_job_id_with_its_status(world, manager):
    with world.tx() as uow:
        job = imports.begin(uow.session, manager, load(ImportStart, {"filename": "a.csv", "format": "csv",
                                                                     "size_bytes": 8}))
        imports.add_chunk(uow.session, manager, job.id, 0, base64.b64encode(b"company\n").decode())
        imports.finish_upload(uow.session, manager, job.id)
    with world.tx() as uow:
        imports.claim_next(uow.session)
    answers = io.BytesIO()

    importer.serve(world.engine, io.BytesIO(f"{job.id}\n\n".encode()), answers)

    assert answers.getvalue().decode() == f"{job.id} completed\n"
