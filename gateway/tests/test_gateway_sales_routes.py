"""The sales service's routes: validated input, one RPC each — and the chunked lead upload."""

from __future__ import annotations

import base64
import io
import os
import uuid
import zlib

from crm_contracts.errors import Conflict
from crm_contracts.payloads.lead_imports import IMPORT_CHUNK_BYTES, IMPORT_MAX_BYTES

IMPORT_ID = str(uuid.uuid4())
JOB = {"id": IMPORT_ID, "filename": "leads.csv", "format": "csv", "encoding": None, "status": "queued",
       "error": None, "size_bytes": 1, "received_bytes": 1, "total_rows": None, "processed_rows": 0,
       "progress": 0.0, "counts": {"created": 0, "duplicate": 0, "invalid": 0, "skipped": 0}, "options": {},
       "created_by": None, "created_at": "2025-01-01T00:00:00Z", "started_at": None, "finished_at": None}


def test_an_upload_reaches_the_sales_service_in_chunks_and_answers_the_queued_job(client, rpc, as_rep):
    rpc.answer("sales.start_import", JOB)
    rpc.answer("sales.add_import_chunk", JOB)
    rpc.answer("sales.finish_import", JOB)
    content = b"company,phone\n" + b"x" * (IMPORT_CHUNK_BYTES + 10)

    answer = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(content), "Leads 2025.CSV"), "assign": "pool"})

    assert answer.status_code == 202 and answer.get_json()["id"] == IMPORT_ID
    [start] = rpc.calls_to("sales.start_import")
    assert start.args[0] == {"filename": "Leads 2025.CSV", "format": "csv", "size_bytes": len(content),
                             "assign": "pool", "encoding": "auto", "source": "import", "source_detail": None,
                             "region": None}
    chunks = rpc.calls_to("sales.add_import_chunk")
    assert [(c.args[1]["seq"], c.args[1]["compressed"]) for c in chunks] == [(0, True), (1, True)]
    assert b"".join(zlib.decompress(base64.b64decode(c.args[1]["data"])) for c in chunks) == content
    assert sum(len(c.args[1]["data"]) for c in chunks) < len(content) / 10  # what the broker carries


def test_a_chunk_compression_would_not_shrink_travels_as_it_is(client, rpc, as_rep):
    rpc.answer("sales.start_import", JOB)
    rpc.answer("sales.add_import_chunk", JOB)
    rpc.answer("sales.finish_import", JOB)
    content = os.urandom(1000)  # as incompressible as a zipped workbook

    client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                data={"file": (io.BytesIO(content), "leads.xlsx")})

    [chunk] = rpc.calls_to("sales.add_import_chunk")
    assert chunk.args[1]["compressed"] is False and base64.b64decode(chunk.args[1]["data"]) == content


def test_a_chunk_the_service_refuses_ends_the_upload_with_its_answer_and_no_finish(client, rpc, as_rep):
    rpc.answer("sales.start_import", JOB)
    rpc.answer("sales.add_import_chunk", lambda import_id, chunk: (
        JOB if chunk["seq"] != 1 else (_ for _ in ()).throw(Conflict("Import failed: larger than announced."))))
    content = b"company,phone\n" + b"x" * (3 * IMPORT_CHUNK_BYTES)

    answer = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(content), "leads.csv")})

    assert answer.status_code == 409 and "larger than announced" in answer.get_data(as_text=True)
    # Two chunks travel at once, so the one sent beside the refused chunk is the last: 3 never goes.
    assert [c.args[1]["seq"] for c in rpc.calls_to("sales.add_import_chunk")] == [0, 1, 2]
    assert rpc.calls_to("sales.finish_import") == []


def test_an_upload_that_is_not_multipart_too_big_or_of_another_type_is_refused(client, rpc, as_rep):
    as_json = client.post("/api/v1/leads/imports", headers=as_rep, json={"file": "x"})
    no_file = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                          data={"assign": "pool"})
    pdf = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"%PDF"), "leads.pdf")})
    bad_option = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"a"), "a.csv"), "assign": "everyone"})
    huge = client.post("/api/v1/leads/imports", headers=as_rep, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"x" * (IMPORT_MAX_BYTES + 2 * 1024 * 1024)), "big.csv")})

    assert [r.status_code for r in (as_json, no_file, pdf, bad_option, huge)] == [415, 422, 422, 422, 413]
    assert rpc.calls_to("sales.start_import") == []


def test_a_lost_claim_race_answers_409_as_problem_json(client, rpc, as_rep):
    rpc.answer("sales.claim_lead", raises=Conflict("Lead is no longer in the pool; someone claimed it first."))

    answer = client.post(f"/api/v1/leads/{uuid.uuid4()}/claim", headers=as_rep)

    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"


def test_caller_id_normalises_the_number_before_asking_sales(client, rpc, as_rep):
    rpc.answer("sales.lookup_phone", {"phone": "+862161234567", "matches": []})

    answer = client.get("/api/v1/lookup?phone=021-6123%204567", headers=as_rep)
    bad = client.get("/api/v1/lookup?phone=hello", headers=as_rep)

    assert answer.status_code == 200 and bad.status_code == 422
    [call] = rpc.calls_to("sales.lookup_phone")
    assert call.args == ({"phone": "+862161234567"},)


def test_a_quote_with_a_negative_weight_or_no_lane_never_reaches_sales(client, rpc, as_rep):
    negative = client.post("/api/v1/quotes", headers=as_rep, json={
        "account_id": str(uuid.uuid4()), "mode": "air", "origin": "CNPVG", "destination": "DEFRA",
        "weight_kg": "-1"})
    no_lane = client.post("/api/v1/quotes", headers=as_rep, json={"account_id": str(uuid.uuid4()), "mode": "air",
                                                                   "weight_kg": "10"})

    assert negative.status_code == 422 and "weight_kg" in negative.get_json()["errors"]
    assert no_lane.status_code == 422 and {"origin", "destination"} <= set(no_lane.get_json()["errors"])
    assert rpc.calls_to("sales.create_quote") == []
