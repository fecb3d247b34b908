"""The sales service end to end, through the gateway and the bus on real processes: a lead import
with duplicates and bad rows (and a re-run that creates nothing), a broken file that fails whole, two
reps racing for one pool lead, conversion through the customer service, a departing rep's leads, and
quote → contract with approval."""

from __future__ import annotations

import secrets
import threading
from datetime import date, timedelta

import pytest
import requests
from crm_contracts.testing.waiting import eventually, unique

from tests.api import Api

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def make_user(system, admin: Api, role: str, region: str = "east", team: str = "t1") -> tuple[dict, Api]:
    username, password = unique(role), "Secret-" + unique("pw")
    created = admin.post("/users", {"username": username, "password": password, "role": role, "region": region,
                                    "team": team})
    assert created.status_code == 201, created.text
    return created.json(), Api.login(system.gateway_url, username, password)


def mobile() -> str:
    """A Chinese mobile number no other test uses (imports dedupe on phone numbers)."""
    return f"139{secrets.randbelow(10**8):08d}"


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    return response.json() if response.content else {}


def upload(api: Api, name: str, content: bytes, **form: str) -> dict:
    return ok(api.post("/leads/imports", files={"file": (name, content)}, data=form), 202)


def finished(api: Api, job_id: str) -> dict:
    def done() -> dict:
        job = ok(api.get(f"/leads/imports/{job_id}"))
        assert job["status"] in ("completed", "failed"), job
        return job
    return eventually(done, timeout=60, interval=0.2)


def test_an_import_dedupes_in_one_pass_reports_every_row_and_a_rerun_creates_nothing(system, admin):
    _, manager = make_user(system, admin, "sales_manager")
    tag = unique("imp")
    content = (f"公司名称,联系人,电话,邮箱\n{tag} 远洋物流有限公司,王伟,021-6123 4567,a@{tag}.cn\n"
               f"{tag.upper()} 远洋物流,李,,\n{tag} Air,,13912345678,b@{tag}.cn\n{tag} Bad,,12,\n"
               f"{tag} Air Two,,+86 139 1234 5678,\n").encode("gbk")

    job = finished(manager, upload(manager, "leads.csv", content)["id"])
    rows = ok(manager.get(f"/leads/imports/{job['id']}/rows"))["items"]
    again = finished(manager, upload(manager, "leads.csv", content)["id"])

    assert (job["status"], job["encoding"], job["counts"]) == (
        "completed", "gb18030", {"created": 2, "duplicate": 2, "invalid": 1, "skipped": 0})
    assert [(r["fate"], r["matched_on"]) for r in rows] == [
        ("created", []), ("duplicate", ["name"]), ("created", []), ("invalid", []), ("duplicate", ["phone"])]
    assert rows[3]["errors"] == {"phone": ["Not a valid phone number; use e.g. +86 138 0013 8000."]}
    assert again["counts"]["created"] == 0 and again["counts"]["duplicate"] == 4
    pool = ok(manager.get("/leads/pool", params={"q": tag}))["items"]
    assert len(pool) == 2 and {lead["status"] for lead in pool} == {"pool"}


def test_a_file_of_several_chunks_arrives_whole_while_its_chunks_travel_together(system, admin):
    _, manager = make_user(system, admin, "sales_manager")
    tag = unique("big")
    # Long notes make a file of three 4 MB chunks from few rows, so the import itself stays quick.
    note = "x" * 4000
    lines = [f"{tag} Freight {i},{note}" for i in range(2600)]
    content = ("company,notes\n" + "\n".join(lines) + "\n").encode()
    assert len(content) > 2 * 4 * 1024 * 1024

    job = finished(manager, upload(manager, "big.csv", content)["id"])

    assert (job["status"], job["received_bytes"], job["size_bytes"]) == ("completed", len(content), len(content))
    assert job["counts"] == {"created": 2600, "duplicate": 0, "invalid": 0, "skipped": 0}


def test_a_malformed_file_fails_whole_with_the_reason(system, admin):
    _, manager = make_user(system, admin, "sales_manager")

    job = finished(manager, upload(manager, "leads.csv", b'company\n"ok"\n"unclosed\n')["id"])
    pdf = manager.post("/leads/imports", files={"file": ("leads.pdf", b"%PDF")})

    assert job["status"] == "failed" and "Malformed CSV" in job["error"] and job["counts"]["created"] == 0
    assert pdf.status_code == 422


def test_two_reps_racing_for_one_pool_lead_one_wins_and_the_other_gets_409(system, admin):
    _, manager = make_user(system, admin, "sales_manager")
    reps = [make_user(system, admin, "sales_rep", team=f"race{i}")[1] for i in range(2)]
    lead = ok(manager.post("/leads", {"company": unique("Race Freight")}), 201)
    barrier, answers = threading.Barrier(2), []

    def claim(api: Api) -> None:
        barrier.wait()
        answers.append(api.post(f"/leads/{lead['id']}/claim").status_code)

    threads = [threading.Thread(target=claim, args=(api,)) for api in reps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 409]
    assert ok(manager.get(f"/leads/{lead['id']}"))["status"] == "assigned"


def test_convert_then_quote_and_contract_across_services(system, admin):
    rep_user, rep = make_user(system, admin, "sales_rep")
    successor_user, successor = make_user(system, admin, "sales_rep", team="t2")
    _, manager = make_user(system, admin, "sales_manager")
    company = unique("Ningbo Star Logistics")
    lead = ok(rep.post("/leads", {"company": company, "contact_name": "Zhao Min", "phone": "0574-8765 4321",
                                  "mode": "air", "origin": "CNPVG", "destination": "DEFRA"}), 201)
    spare = ok(rep.post("/leads", {"company": unique("Spare Lead")}), 201)

    converted = ok(rep.post(f"/leads/{lead['id']}/convert", {"opportunity": {
        "amount": {"amount": "8000.00", "currency": "CNY"}}}), 201)
    twin = ok(rep.post("/leads", {"company": f"{company} Co., Ltd.", "contact_name": "Qian"},
                       params={"allow_duplicate": "true"}), 201)
    again = rep.post(f"/leads/{twin['id']}/convert", {})

    account = ok(rep.get(f"/accounts/{converted['account_id']}"))
    contacts = ok(rep.get(f"/accounts/{account['id']}/contacts"))["items"]
    assert (account["name"], account["owner_id"], [c["name"] for c in contacts]) == (company, rep_user["id"],
                                                                                   ["Zhao Min"])
    assert again.status_code == 409 and again.json()["duplicates"][0]["id"] == account["id"]
    found = ok(rep.get("/lookup", params={"phone": "+86 574 87654321"}))["matches"]
    assert {m["kind"] for m in found} >= {"lead"}

    validity = str(date.today() + timedelta(days=30))
    ok(manager.post("/rate-cards", {"name": "PVG-FRA", "origin": "CNPVG", "destination": "DEFRA", "mode": "air",
                                    "currency": "CNY", "min_charge": "300", "valid_from": str(date.today()),
                                    "valid_to": validity, "breaks": [{"min_qty": "0", "rate": "20"}]}), 201)
    quote = eventually(lambda: ok(rep.post("/quotes", {
        "opportunity_id": converted["opportunity_id"], "mode": "air", "origin": "CNPVG", "destination": "DEFRA",
        "weight_kg": "100", "discount_pct": "20"}), 201), timeout=15)
    assert quote["status"] == "pending_approval" and quote["total"] == {"amount": "1600.00", "currency": "CNY"}
    assert rep.post(f"/quotes/{quote['id']}/send").status_code == 409
    ok(manager.post(f"/quotes/{quote['id']}/approve"))
    ok(rep.post(f"/quotes/{quote['id']}/send"))
    ok(rep.post(f"/quotes/{quote['id']}/accept", {}))
    contract = ok(rep.post("/contracts", {"quote_id": quote["id"], "start_date": str(date.today())}), 201)
    approved = ok(manager.post(f"/contracts/{contract['id']}/approve", {}))
    assert approved["status"] == "approved"

    ok(admin.patch(f"/users/{rep_user['id']}", {"active": False, "successor_id": successor_user["id"]}))
    moved = eventually(lambda: _owned_by(successor, spare["id"], successor_user["id"]), timeout=15)
    assert moved["status"] == "assigned"


def _owned_by(api: Api, lead_id: str, owner_id: str) -> dict:
    lead = ok(api.get(f"/leads/{lead_id}"))
    assert lead["owner_id"] == owner_id
    return lead


def test_leads_export_as_a_csv_download_that_spreadsheets_read_as_text(system, admin):
    _, manager = make_user(system, admin, "sales_manager")
    tag = unique("exp")
    content = f"company,phone\n{tag} 宁波港运物流,{mobile()}\n=SUM(1+1) {tag},{mobile()}\n".encode()
    finished(manager, upload(manager, "export.csv", content)["id"])

    answer = manager.get("/leads/export", params={"q": tag, "format": "csv", "sort": "company", "limit": 1})

    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    text = answer.content.decode("utf-8")
    header, first = text.lstrip("\ufeff").splitlines()
    assert text.startswith("\ufeff") and header.startswith("id,company,")
    assert "'=SUM(1+1)" in first  # a formula-looking cell opens as text
    rest = manager.get("/leads/export", params={"q": tag, "format": "csv", "sort": "company", "limit": 1,
                                               "cursor": answer.headers["X-Next-Cursor"]})
    assert f"{tag} 宁波港运物流" in rest.content.decode("utf-8")
