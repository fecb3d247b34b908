"""Sales reminders reaching a person's inbox end to end, through the gateway and the bus on real processes:
a rep's task falling due (the sales reminder timer publishes ``activity.due``), a lead a manager hands to a
rep, and a lead import telling its uploader how it went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crm_contracts.testing.waiting import eventually, unique

from tests.api import Api
from tests.test_sales_flow import finished, make_user, mobile, ok, upload

pytestmark = pytest.mark.system

# sales' reminder timer runs every CRM_SALES_REMINDERS_SECONDS (one second in the test system).
REMINDER_TIMER_SECONDS = 1


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def notification(api: Api, kind: str, link: str) -> dict:
    """The caller's notification of ``kind`` about the record at ``link``; raises until it is there."""
    items = ok(api.get("/notifications", params={"unread": "true"}))["items"]
    [note] = [n for n in items if n["kind"] == kind and n["link"] == link]
    return note


def test_a_rep_hears_of_a_task_falling_due_in_their_inbox(system, admin):
    _, rep = make_user(system, admin, "sales_rep")
    subject = unique("Call Zhao Min about the PVG lane")
    due = datetime.now(UTC) + timedelta(minutes=20)
    task = ok(rep.post("/activities", {"kind": "task", "subject": subject, "due_at": due.isoformat(),
                                       "remind_before_minutes": 60}), 201)  # its reminder time has passed

    note = eventually(lambda: notification(rep, "activity.due", f"/activities/{task['id']}"),
                      timeout=REMINDER_TIMER_SECONDS + 30, interval=0.5)

    assert note["title"] == f"Reminder: {subject}"
    assert note["body"] == f"Your task “{subject}” is due at {due:%Y-%m-%d %H:%M} UTC."
    assert ok(rep.post(f"/notifications/{note['id']}/read"))["read_at"] is not None


def test_a_lead_a_manager_assigns_lands_in_the_reps_inbox_and_nobody_elses(system, admin):
    rep_user, rep = make_user(system, admin, "sales_rep")
    _, manager = make_user(system, admin, "sales_manager")
    company = unique("Qingdao Harbour Freight")

    lead = eventually(lambda: ok(manager.post("/leads", {"company": company, "region": "east",
                                                         "owner_id": rep_user["id"]}), 201), timeout=15)
    note = eventually(lambda: notification(rep, "lead.assigned", f"/leads/{lead['id']}"), timeout=15, interval=0.2)

    assert note["title"] == f"Lead assigned: {company}"
    assert ok(manager.get("/notifications"))["items"] == []


def test_the_uploader_hears_how_a_lead_import_went(system, admin):
    _, manager = make_user(system, admin, "sales_manager")
    tag = unique("notify-imp")
    content = f"company,phone\n{tag} Ocean Logistics,{mobile()}\n{tag} Bad,12\n".encode()

    job = finished(manager, upload(manager, f"{tag}.csv", content)["id"])
    note = eventually(lambda: notification(manager, "lead_import.completed", f"/leads/imports/{job['id']}"),
                      timeout=15, interval=0.2)

    assert note["title"] == f"Lead import finished: {tag}.csv"
    assert note["body"] == "1 created, 0 duplicate, 1 invalid, 0 skipped of 2 rows."


def test_a_rep_who_reads_chinese_gets_the_notice_in_chinese(system, admin):
    rep_user, rep = make_user(system, admin, "sales_rep")
    assert ok(admin.patch(f"/users/{rep_user['id']}", {"language": "zh"}))["language"] == "zh"
    _, manager = make_user(system, admin, "sales_manager")

    def assigned_in_chinese() -> tuple[str, dict]:
        company = unique("宁波港通国际货运代理")
        lead = ok(manager.post("/leads", {"company": company, "region": "east", "owner_id": rep_user["id"]}), 201)
        note = eventually(lambda: notification(rep, "lead.assigned", f"/leads/{lead['id']}"), timeout=15,
                          interval=0.2)
        # The language reaches notify with the user event; a lead assigned before that is told in English.
        assert note["title"].startswith("新线索"), note["title"]
        return company, note

    company, note = eventually(assigned_in_chinese, timeout=30, interval=0.5)

    assert note["title"] == f"新线索：{company}"
