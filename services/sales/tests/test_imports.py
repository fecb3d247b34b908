"""Lead imports: formats and encodings, one-pass dedupe, per-row fates, and files that fail whole."""

from __future__ import annotations

import base64
import io

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import ValidationFailed
from crm_contracts.payloads.lead_imports import ImportStart
from crm_contracts.payloads.leads import LeadCreate
from crm_sales import exporting, importer, imports, leads
from crm_sales.models import ImportChunk, Lead
from openpyxl import Workbook
from sqlalchemy import func, select

HEADER = "company,contact,phone,fax,email,source,origin,destination\n"


def run_import(world, actor, content: bytes, fmt="csv", chunk=64, **options):
    """Upload in small chunks (as the gateway does in 4 MB ones), then process as the runner would."""
    with world.tx() as uow:
        job = imports.begin(uow.session, actor, load(ImportStart, {
            "filename": f"leads.{fmt}", "format": fmt, "size_bytes": len(content), **options}))
    for seq, start in enumerate(range(0, len(content), chunk)):
        with world.tx() as uow:
            imports.add_chunk(uow.session, actor, job.id, seq, base64.b64encode(content[start:start + chunk]).decode())
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


def test_a_utf8_csv_creates_leads_and_reports_every_rows_fate(world, manager):
    content = (HEADER + "上海远洋物流有限公司,王伟,021-6123 4567,,wang@ocean.cn,exhibition,CNSHA,DEHAM\n"
               "ACME Logistics,Bob,13800138000,,bob@acme.com,referral,,\n").encode("utf-8-sig")

    job, rows = run_import(world, manager, content)

    assert (job["status"], job["counts"], job["total_rows"], job["encoding"]) == (
        "completed", {"created": 2, "duplicate": 0, "invalid": 0, "skipped": 0}, 2, "utf-8")
    assert [r["fate"] for r in rows] == ["created", "created"]
    with world.read() as session:
        lead = session.get(Lead, rows[0]["lead_id"])
    assert (lead.company, lead.phone, lead.status, lead.import_row) == (
        "上海远洋物流有限公司", "+862161234567", "pool", 1)
    [batch] = world.events("lead.imported")
    assert (batch["lead_ids"], batch["owner_ids"]) == ([r["lead_id"] for r in rows], [None, None])
    [done] = world.events("lead_import.finished")
    assert (done["status"], done["created"]) == ("completed", 2)


def test_a_gbk_csv_with_chinese_headers_is_detected_and_read(world, manager):
    content = "公司名称,联系人,电话,邮箱\n广州速达货运代理有限公司,李娜,020-8888 1234,li@suda.cn\n".encode("gbk")

    job, rows = run_import(world, manager, content)

    assert (job["status"], job["encoding"], rows[0]["fate"], rows[0]["company"]) == (
        "completed", "gb18030", "created", "广州速达货运代理有限公司")


def test_duplicates_are_found_inside_the_file_across_batches_and_against_leads_and_customers(
        world, manager, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    with world.tx() as uow:
        existing = leads.create(uow, manager, load(LeadCreate, {"company": "Existing Freight", "email": "x@ex.cn"}))
    world.account(name="Big Customer Co., Ltd.")
    content = (HEADER +
               "Alpha Trans,,13800000001,,,,,\n"          # 1 created
               "Beta Cargo,,13800000002,,,,,\n"           # 2 created
               "ALPHA TRANS CO LTD,,,,,,,\n"              # 3 duplicate of row 1 (name), next batch
               "Gamma,,,+86 138 0000 0002,,,,\n"         # 4 duplicate of row 2 (fax = phone)
               "Whoever,,,,X@EX.CN,,,\n"                  # 5 duplicate of the existing lead (email)
               "big customer,,,,,,,\n"                    # 6 skipped: already a customer
               "Delta,,13800000009,,,,,\n"               # 7 created
               "Delta Two,,138 0000 0009,,,,,\n").encode()  # 8 duplicate of row 7, same batch

    job, rows = run_import(world, manager, content)

    fates = {r["row"]: (r["fate"], (r["duplicate_of"] or {}).get("kind"), r["matched_on"]) for r in rows}
    assert fates == {1: ("created", None, []), 2: ("created", None, []), 3: ("duplicate", "row", ["name"]),
                     4: ("duplicate", "row", ["fax"]), 5: ("duplicate", "lead", ["email"]),
                     6: ("skipped", "account", ["name"]), 7: ("created", None, []),
                     8: ("duplicate", "row", ["phone"])}
    assert rows[2]["duplicate_of"]["row"] == 1 and rows[4]["duplicate_of"]["id"] == existing.id
    assert job["counts"] == {"created": 3, "duplicate": 4, "invalid": 0, "skipped": 1}


def test_importing_the_same_file_again_creates_nothing(world, manager):
    content = (HEADER + "One,,13900000001,,,,,\nTwo,,,,two@x.cn,,,\n").encode()
    run_import(world, manager, content)

    job, rows = run_import(world, manager, content)

    assert job["counts"]["created"] == 0 and {r["fate"] for r in rows} == {"duplicate"}
    assert lead_count(world) == 2


def test_invalid_rows_are_reported_with_field_errors_and_the_rest_imported(world, manager):
    content = (HEADER + ",,,,,,,\nNo Phone,,12345,,,,,\nBad Mail,,,,not-mail,,,\nBad Port,,,,,,SHANGHAI,\n"
               "Fine,,,,,air,,\n").encode()

    job, rows = run_import(world, manager, content)

    assert [r["fate"] for r in rows] == ["invalid", "invalid", "invalid", "invalid"]
    assert [sorted(r["errors"]) for r in rows] == [["phone"], ["email"], ["origin"], ["source"]]
    assert job["counts"] == {"created": 0, "duplicate": 0, "invalid": 4, "skipped": 0}


def test_formula_looking_cells_are_stored_as_plain_text(world, manager):
    content = (HEADER + '"=HYPERLINK(""http://x"")",@evil,,,,,,\n').encode()

    _, [row] = run_import(world, manager, content)

    with world.read() as session:
        lead = session.get(Lead, row["lead_id"])
    assert (lead.company, lead.contact_name) == ('=HYPERLINK("http://x")', "@evil")


def test_an_xlsx_sheet_is_read_with_numbers_as_text(world, manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["Company", "Phone", "Email", "Notes"])
    sheet.append(["Xlsx Freight", 13800138000, "a@xlsx.cn", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)

    job, [row] = run_import(world, manager, buffer.getvalue(), fmt="xlsx", chunk=1024)

    assert (job["status"], row["fate"]) == ("completed", "created")
    with world.read() as session:
        lead = session.get(Lead, row["lead_id"])
    assert (lead.phone, lead.notes) == ("+8613800138000", "=1+1")


@pytest.mark.parametrize(("content", "fmt", "reason"), [
    (b"company,phone\n\"Unclosed,1380013800\n", "csv", "Malformed CSV"),
    (b"\n\n", "csv", "empty"),
    ("公司,电话\n".encode("utf-16"), "csv", "not a text file"),
    (b"nothing,useful\nfoo,bar\n", "csv", "Missing header"),
    (b"PK\x03\x04 not really a workbook", "xlsx", "not a readable XLSX"),
])
def test_a_broken_file_fails_the_job_with_the_reason_and_imports_nothing(world, manager, content, fmt, reason):
    job, rows = run_import(world, manager, HEADER.encode() + b"Good One,,,,,,,\n" + content
                           if fmt == "csv" and reason == "Malformed CSV" else content, fmt=fmt)

    assert job["status"] == "failed" and reason.lower() in job["error"].lower()
    assert rows == [] and lead_count(world) == 0
    with world.read() as session:
        assert session.scalar(select(func.count()).select_from(ImportChunk)) == 0
    assert world.events("lead_import.finished")[-1]["status"] == "failed"


def test_a_file_beyond_the_row_limit_fails_whole(world, manager, monkeypatch):
    monkeypatch.setattr(importer, "IMPORT_MAX_ROWS", 3)
    monkeypatch.setattr(importer, "BATCH", 2)
    content = (HEADER + "".join(f"Firm {i},,,,,,,\n" for i in range(4))).encode()

    job, _ = run_import(world, manager, content)

    assert job["status"] == "failed" and "more than 3 rows" in job["error"]
    assert lead_count(world) == 0


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


def test_imports_respect_the_chosen_assignment(world, rep):
    content = (HEADER + "Mine One,,,,,,,\nMine Two,,,,,,,\n").encode()

    job, rows = run_import(world, rep, content, assign="me")

    with world.read() as session:
        owners = {session.get(Lead, r["lead_id"]).owner_id for r in rows}
    assert owners == {rep.user_id} and job["counts"]["created"] == 2


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


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(world, manager):
    run_import(world, manager, (HEADER + '"=1+1",@me,+86 139 1234 5678,,,,,\n-Minus Ltd,,,,,,,\n').encode())

    with world.read() as session:
        exported = exporting.leads_csv(session, manager, {"limit": 10, "sort": "company"})

    lines = exported["csv"].splitlines()
    assert exported["rows"] == 2 and lines[0].startswith("id,company,contact_name")
    assert ",'-Minus Ltd," in lines[1] and ",'=1+1,'@me,,'+8613912345678," in lines[2]


def test_an_imported_leads_history_names_the_import_and_row(world, manager):
    job, [row] = run_import(world, manager, (HEADER + "History Freight,,,,,,,\n").encode())

    with world.read() as session:
        [entry] = leads.history(session, manager, row["lead_id"])

    assert (entry["action"], entry["actor_id"]) == ("imported", manager.user_id)
    assert entry["changes"]["import"]["new"] == f"{job['id']}#1"
    assert entry["changes"]["company"] == {"old": None, "new": "History Freight"}
