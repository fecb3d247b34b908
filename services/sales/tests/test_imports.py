"""Lead imports: formats and encodings, one-pass dedupe, per-row fates, and files that fail whole."""

from __future__ import annotations

import io
import uuid

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.events.base import parse
from crm_contracts.events.sales import LeadsImported
from crm_contracts.payloads.leads import LeadCreate
from crm_contracts.payloads.sales_settings import SalesSettings
from crm_sales import exporting, importer, importfates, imports, importstage, leads, settings
from crm_sales.models import AssignmentCursor, ImportChunk, ImportRow, Lead, RepLoad
from openpyxl import Workbook
from sqlalchemy import func, select

from .conftest import ON_BOTH, identity
from .importing import HEADER, lead_count, run_import


@ON_BOTH
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
    # Created, updated and last active when the job ran, in its first version, as its event says.
    assert lead.created_at == lead.updated_at == lead.last_activity_at == parse(LeadsImported, batch)["created_at"]
    assert lead.version == 1
    [done] = world.events("lead_import.finished")
    assert (done["status"], done["created"]) == ("completed", 2)


def test_a_gbk_csv_with_chinese_headers_is_detected_and_read(world, manager):
    content = "公司名称,联系人,电话,邮箱\n广州速达货运代理有限公司,李娜,020-8888 1234,li@suda.cn\n".encode("gbk")

    job, rows = run_import(world, manager, content)

    assert (job["status"], job["encoding"], rows[0]["fate"], rows[0]["company"]) == (
        "completed", "gb18030", "created", "广州速达货运代理有限公司")


# How PostgreSQL matches the leads from before (``importfates.decide``): the thresholds that lead it
# each way with the two leads here (a few, many, and many against the rows staged).
WAYS = {importfates.BY_PROBING_KNOWN: (importfates.PROBE_KNOWN_BELOW, importfates.HASH_BELOW),
        importfates.BY_HASHING_KNOWN: (0, importfates.HASH_BELOW), importfates.BY_PROBING_STAGED: (0, -1)}


@ON_BOTH
@pytest.mark.parametrize("kept", [importstage.CANDIDATES_KEPT, 0], ids=["repeated-keys", "every-key"])
@pytest.mark.parametrize("way", list(WAYS))
def test_duplicates_are_found_inside_the_file_across_batches_and_against_leads_and_customers(
        world, manager, monkeypatch, kept, way):
    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(importstage, "CANDIDATES_KEPT", kept)  # 0: the stager keeps no list of repeated keys
    monkeypatch.setattr(importfates, "PROBE_KNOWN_BELOW", WAYS[way][0])
    monkeypatch.setattr(importfates, "HASH_BELOW", WAYS[way][1])
    taken = []
    monkeypatch.setattr(importfates, "_fates_sql", lambda *args, sql=importfates._fates_sql: taken.append(args[-1])
                        or sql(*args))
    with world.tx() as uow:
        existing = leads.create(uow, manager, load(LeadCreate, {"company": "Existing Freight", "email": "x@ex.cn"}))
        converted = leads.create(uow, manager, load(LeadCreate, {"company": "Won Before", "fax": "13900000077"}))
        converted.status = "converted"
    world.account(name="Big Customer Co., Ltd.")
    content = (HEADER +
               "Alpha Trans,,13800000001,,,,,\n"          # 1 created
               "Beta Cargo,,13800000002,,,,,\n"           # 2 created
               "ALPHA TRANS CO LTD,,,,,,,\n"              # 3 duplicate of row 1 (name), next batch
               "Gamma,,,+86 138 0000 0002,,,,\n"         # 4 duplicate of row 2 (fax = phone)
               "Whoever,,,,X@EX.CN,,,\n"                  # 5 duplicate of the existing lead (email)
               "big customer,,,,,,,\n"                    # 6 skipped: already a customer
               "Delta,,13800000009,,,,,\n"               # 7 created
               "Delta Two,,138 0000 0009,,,,,\n"         # 8 duplicate of row 7, same batch
               "Epsilon,,139 0000 0077,,,,,\n").encode()  # 9 skipped: the phone is a converted lead's fax

    job, rows = run_import(world, manager, content)

    fates = {r["row"]: (r["fate"], (r["duplicate_of"] or {}).get("kind"), r["matched_on"]) for r in rows}
    assert fates == {1: ("created", None, []), 2: ("created", None, []), 3: ("duplicate", "row", ["name"]),
                     4: ("duplicate", "row", ["fax"]), 5: ("duplicate", "lead", ["email"]),
                     6: ("skipped", "account", ["name"]), 7: ("created", None, []),
                     8: ("duplicate", "row", ["phone"]), 9: ("skipped", "lead", ["phone"])}
    assert rows[2]["duplicate_of"] == {"kind": "row", "id": rows[0]["lead_id"], "row": 1, "status": "created"}
    assert rows[2]["reason"] == "Duplicate of row 1 (matched on name)."
    assert rows[4]["duplicate_of"] == {"kind": "lead", "id": existing.id, "row": None, "status": "pool"}
    assert rows[4]["reason"] == f"Duplicate of lead {existing.id} (matched on email)."
    assert rows[5]["duplicate_of"]["status"] is None and rows[5]["reason"] == "Already a customer (matched on name)."
    assert rows[8]["duplicate_of"] == {"kind": "lead", "id": converted.id, "row": None, "status": "converted"}
    assert job["counts"] == {"created": 3, "duplicate": 4, "invalid": 0, "skipped": 2}
    batches = [parse(LeadsImported, body) for body in world.events("lead.imported")]
    assert [len(batch["lead_ids"]) for batch in batches] == [2, 1]
    assert taken == [way if world.engine.dialect.name == "postgresql" else importfates.BY_PROBING_STAGED]
    assert [i for batch in batches for i in batch["lead_ids"]] == [rows[n]["lead_id"] for n in (0, 1, 6)]
    assert {(batch["import_id"], batch["sources"][0], batch["actor"]["user_id"]) for batch in batches} == {
        (uuid.UUID(job["id"]), "import", manager.user_id)}


@ON_BOTH
def test_a_row_repeating_an_earlier_row_is_its_duplicate_even_when_that_row_created_nothing(world, manager):
    with world.tx() as uow:
        existing = leads.create(uow, manager, load(LeadCreate, {"company": "Old Freight", "phone": "13800000007"}))
    content = (HEADER +
               "Acme Cargo,,13800000007,,,,,\n"        # 1 duplicate of the existing lead (phone)
               "ACME CARGO LTD,,,,acme@x.cn,,,\n"      # 2 duplicate of row 1 (name), though row 1 is no lead
               "Other,,,,ACME@X.CN,,,\n"              # 3 duplicate of row 2: the earliest row with its e-mail
               "Fresh,,13900000001,,,,,\n").encode()   # 4 created

    job, rows = run_import(world, manager, content)

    assert [(r["fate"], r["matched_on"]) for r in rows] == [
        ("duplicate", ["phone"]), ("duplicate", ["name"]), ("duplicate", ["email"]), ("created", [])]
    assert rows[0]["duplicate_of"]["id"] == existing.id
    assert rows[1]["duplicate_of"] == {"kind": "row", "id": None, "row": 1, "status": "duplicate"}
    assert rows[2]["duplicate_of"] == {"kind": "row", "id": None, "row": 2, "status": "duplicate"}
    assert job["counts"] == {"created": 1, "duplicate": 3, "invalid": 0, "skipped": 0}
    assert lead_count(world) == 2


def test_the_row_report_pages_and_filters_across_created_and_other_rows(world, manager):
    content = (HEADER + "One,,13900000001,,,,,\nOne Ltd,,,,,,,\nBad Mail,,,,not-mail,,,\nTwo,,,,,,,\n"
               "Three,,,,,,,\n").encode()
    job, _ = run_import(world, manager, content)

    def walk(**query):
        pages, cursor = [], None
        while True:
            page, cursor = imports.rows(session, manager, job["id"], {"limit": 2, "cursor": cursor, **query})
            pages.append([(r.row, r.fate) for r in page])
            if not cursor:
                return pages

    with world.read() as session:
        pages, backwards = walk(), walk(sort="-row")
        created, _ = imports.rows(session, manager, job["id"], {"fate": "created", "limit": 50})
        stored = session.scalars(select(ImportRow.fate).where(ImportRow.import_id == job["id"])).all()

    assert pages == [[(1, "created"), (2, "duplicate")], [(3, "invalid"), (4, "created")], [(5, "created")]]
    assert backwards == [[(5, "created"), (4, "created")], [(3, "invalid"), (2, "duplicate")], [(1, "created")]]
    assert [imports.row_out(r) for r in created][0] == {
        "row": 1, "fate": "created", "lead_id": created[0].lead_id, "company": "One", "reason": None,
        "duplicate_of": None, "matched_on": [], "errors": {}}
    assert [r.row for r in created] == [1, 4, 5] and sorted(stored) == ["duplicate", "invalid"]


@ON_BOTH
def test_importing_the_same_file_again_creates_nothing(world, manager):
    content = (HEADER + "One,,13900000001,,,,,\nTwo,,,,two@x.cn,,,\n").encode()
    run_import(world, manager, content)

    job, rows = run_import(world, manager, content)

    assert job["counts"]["created"] == 0 and {r["fate"] for r in rows} == {"duplicate"}
    assert lead_count(world) == 2


def test_blank_lines_are_not_rows_but_a_row_with_an_empty_first_cell_is(world, manager):
    content = b"contact,company\n\nLi,First Freight\n  ,  \n,,\n,Second Freight\n\n"

    job, rows = run_import(world, manager, content)

    assert [(r["row"], r["fate"], r["company"]) for r in rows] == [
        (1, "created", "First Freight"), (2, "created", "Second Freight")]
    assert job["total_rows"] == 2


def test_invalid_rows_are_reported_with_field_errors_and_the_rest_imported(world, manager):
    content = (HEADER + ",,,,,,,\nNo Phone,,12345,,,,,\nBad Mail,,,,not-mail,,,\nBad Port,,,,,,SHANGHAI,\n"
               "Fine,,,,,air,,\n").encode()

    job, rows = run_import(world, manager, content)

    assert [r["fate"] for r in rows] == ["invalid", "invalid", "invalid", "invalid"]
    assert [sorted(r["errors"]) for r in rows] == [["phone"], ["email"], ["origin"], ["source"]]
    assert job["counts"] == {"created": 0, "duplicate": 0, "invalid": 4, "skipped": 0}


def test_a_company_name_too_long_is_reported_as_too_long_not_as_missing(world, manager):
    content = (HEADER + "X" * 201 + ",,,,,,,\n").encode()

    job, rows = run_import(world, manager, content)

    assert [r["fate"] for r in rows] == ["invalid"]
    assert "Missing data for required field." not in rows[0]["errors"]["company"]
    assert any("200" in message for message in rows[0]["errors"]["company"]), rows[0]["errors"]
    assert job["counts"]["invalid"] == 1 and lead_count(world) == 0


@ON_BOTH
def test_invalid_rows_are_written_aside_in_bounded_batches_between_the_valid_ones(world, manager, monkeypatch):
    monkeypatch.setattr(importstage, "INVALID_HELD", 2)
    monkeypatch.setattr(importer, "BATCH", 2)
    content = (HEADER + "".join(f"Firm {i},,,,{'bad' if i % 3 else 'ok'}{i}@x.cn,,,\n".replace("bad", "bad@")
                                for i in range(9))).encode()

    job, rows = run_import(world, manager, content)

    assert [r["fate"] for r in rows] == ["created", "invalid", "invalid"] * 3
    assert [r["row"] for r in rows] == list(range(1, 10))
    assert rows[1]["errors"] == {"email": ["Not a valid email address."]}
    assert job["counts"] == {"created": 3, "duplicate": 0, "invalid": 6, "skipped": 0} and lead_count(world) == 3


def test_formula_looking_cells_are_stored_as_plain_text(world, manager):
    content = (HEADER + '"=HYPERLINK(""http://x"")",@evil,,,,,,\n').encode()

    _, [row] = run_import(world, manager, content)

    with world.read() as session:
        lead = session.get(Lead, row["lead_id"])
    assert (lead.company, lead.contact_name) == ('=HYPERLINK("http://x")', "@evil")


@ON_BOTH
def test_text_with_tabs_quotes_line_breaks_and_backslashes_is_stored_exactly(world, manager, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)  # blocks of plain rows beside blocks that need quoting
    companies = ["Plain Freight", "Acme Co., Ltd.", "Tab\tLogistics", 'The "Best" Carrier', "Lone\rReturn Ltd",
                 "Two\nLines\r\nCo", "Back\\slash \\N Ltd", "\\.", "Plain Again", "Last Plain"]
    quoted = "".join('"' + name.replace('"', '""') + f'",contact {i},,,,,,\n' for i, name in enumerate(companies))

    job, rows = run_import(world, manager, (HEADER + quoted).encode())

    with world.read() as session:
        stored = [(session.get(Lead, r["lead_id"]).company, session.get(Lead, r["lead_id"]).contact_name)
                  for r in rows]
    assert stored == [(name, f"contact {i}") for i, name in enumerate(companies)]
    assert job["counts"]["created"] == len(companies)


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


@ON_BOTH
@pytest.mark.parametrize(("content", "fmt", "reason"), [
    (b"company,phone\n\"Unclosed,1380013800\n", "csv", "Malformed CSV near line 4"),
    (b"\n\n", "csv", "empty"),
    ("公司,电话\n".encode("utf-16"), "csv", "not a text file"),
    (b"nothing,useful\nfoo,bar\n", "csv", "Missing header"),
    (b"PK\x03\x04 not really a workbook", "xlsx", "not a readable XLSX"),
])
def test_a_broken_file_fails_the_job_with_the_reason_and_imports_nothing(world, manager, content, fmt, reason):
    job, rows = run_import(world, manager, HEADER.encode() + b"Good One,,,,,,,\n" + content
                           if fmt == "csv" and reason.startswith("Malformed CSV") else content, fmt=fmt)

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


def test_imports_respect_the_chosen_assignment(world, rep):
    content = (HEADER + "Mine One,,,,,,,\nMine Two,,,,,,,\n").encode()

    job, rows = run_import(world, rep, content, assign="me")

    with world.read() as session:
        owners = {session.get(Lead, r["lead_id"]).owner_id for r in rows}
    assert owners == {rep.user_id} and job["counts"]["created"] == 2


@ON_BOTH
def test_rule_assignment_places_imported_leads_round_robin_and_counts_their_load(world, admin, manager):
    seniors = [world.user(identity("sales_rep", team="senior")) for _ in range(2)]
    with world.tx() as uow:
        settings.update(uow, admin, load(SalesSettings, {"assignment": {"rules": [
            {"name": "A to seniors", "grades": ["A"], "team": "senior", "strategy": "round_robin"}]}}))
    content = (HEADER + "".join(f"Firm {i},Li,1380000000{i},,f{i}@x.cn,referral,,\n" for i in range(3))
               + "Cold One,,,,,cold_call,,\n").encode()

    job, rows = run_import(world, manager, content, assign="rules")

    with world.read() as session:
        owned = [session.get(Lead, r["lead_id"]) for r in rows]
        loads = {s.user_id: session.get(RepLoad, s.user_id).open_leads for s in seniors}
        cursor = session.get(AssignmentCursor, "A to seniors").last_user_id
    owners = [lead.owner_id for lead in owned]
    assert owners[0] != owners[1] and owners[2] == owners[0] and owners[3] is None
    assert [lead.status for lead in owned] == ["assigned", "assigned", "assigned", "pool"]
    assert {lead.team for lead in owned[:3]} == {"senior"} and owned[0].assigned_at is not None
    assert sorted(loads.values()) == [1, 2] and cursor == owners[2]
    [batch] = world.events("lead.imported")
    assert batch["owner_ids"] == owners and job["counts"]["created"] == 4


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
