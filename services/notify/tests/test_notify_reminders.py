"""Sales reminders and service-desk SLA escalations through the real entrypoints: each kind reaches the
person who must act, in their language; a redelivery changes nothing; an event naming nobody notify can
find makes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from crm_contracts.bus import subscriptions
from crm_contracts.chassis.handlers import ReliableEventHandler
from crm_contracts.events import AccountCreated, UserCreated, UserDeactivated, build, parse
from crm_contracts.events import sales as ev
from crm_contracts.events import service_desk as sd
from crm_contracts.identity import Identity
from crm_notify.models import Notification
from crm_notify.service import NotifyService
from sqlalchemy import func, select

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
MANAGER = Identity(user_id=str(uuid.uuid4()), role="sales_manager", region="east", username="manager")
MONEY = {"amount": "12800.00", "currency": "CNY"}


def event(cls: type, actor: Identity | None = None, **body: Any) -> dict:
    return parse(cls, build(cls, actor=actor, **body))


def lead(cls: type, owner_id: str | None, actor: Identity | None = None, **extra: Any) -> dict:
    return event(cls, actor=actor, lead_id=uuid.uuid4(), company="Ningbo Star Logistics", source="web", grade="A",
                 status="assigned", owner_id=owner_id, team="t1", region="east", created_at=NOW, version=3, **extra)


def lead_import(created_by: str | None, status: str = "completed", error: str | None = None) -> dict:
    return event(ev.LeadImportFinished, import_id=uuid.uuid4(), filename="leads.csv", status=status, error=error,
                 created_by=created_by, total_rows=5, created=2, duplicate=2, invalid=1, skipped=0)


def quote(cls: type, owner_id: str | None, actor: Identity | None = MANAGER, region: str = "east",
          **extra: Any) -> dict:
    return event(cls, actor=actor, quote_id=uuid.uuid4(), number="Q-2026-0042", quote_version=2,
                 account_id=uuid.uuid4(), owner_id=owner_id, region=region, status="sent", mode="air",
                 origin="CNPVG", destination="DEFRA", total=MONEY, valid_until=TODAY + timedelta(days=30), **extra)


def contract(owner_id: str | None, account_id: str | None = None) -> dict:
    return event(ev.ContractRenewalDue, contract_id=uuid.uuid4(), number="C-2026-0007",
                 account_id=account_id or uuid.uuid4(), quote_id=uuid.uuid4(), owner_id=owner_id, region="east",
                 status="approved", total=MONEY, start_date=TODAY - timedelta(days=330),
                 end_date=TODAY + timedelta(days=35), renewal_date=TODAY + timedelta(days=5))


def milestone(cls: type, owner_id: str | None, account_id: str | None = None, **extra: Any) -> dict:
    return event(cls, milestone_id=uuid.uuid4(), contract_id=uuid.uuid4(), contract_number="C-2026-0007",
                 account_id=account_id or uuid.uuid4(), owner_id=owner_id, name="Second instalment",
                 due_on=TODAY + timedelta(days=3), amount=MONEY, **extra)


def activity(cls: type, owner_id: str) -> dict:
    return event(cls, activity_id=uuid.uuid4(), kind="call", subject="Call Zhao Min about the PVG lane",
                 owner_id=owner_id, origin="spontaneous", status="open", region="east",
                 due_at=NOW + timedelta(minutes=30))


def escalation(cls: type, assignee_id: str | None, region: str = "east", target: str = "resolution") -> dict:
    return event(cls, ticket_id=uuid.uuid4(), subject="Container held at DEHAM", channel="email",
                 category="customs", priority="high", status="open", customer_code="C-9", region=region,
                 assignee_id=assignee_id, created_at=NOW - timedelta(hours=3), version=4, target=target,
                 due_at=NOW + timedelta(hours=1), percent=100 if cls is sd.TicketSlaBreached else 80)


@dataclass(frozen=True)
class Case:
    """One kind of notice: the handler, an event naming ``recipient`` (ignored when the directory picks
    the recipients: ``role`` says whom), where its link points, and its title in English and Chinese."""

    handler: str
    make: Callable[[str | None], dict]
    kind: str
    link: Callable[[dict], str]
    titles: tuple[str, str]
    role: str = "sales_rep"
    by_directory: bool = False


def to_lead(e: dict) -> str:
    return f"/leads/{e['lead_id']}"


def to_quote(e: dict) -> str:
    return f"/quotes/{e['quote_id']}"


def to_contract(e: dict) -> str:
    return f"/contracts/{e['contract_id']}"


def to_activity(e: dict) -> str:
    return f"/activities/{e['activity_id']}"


def to_ticket(e: dict) -> str:
    return f"/tickets/{e['ticket_id']}"


CASES = [
    Case("on_lead_release_warned", lambda r: lead(ev.LeadReleaseWarned, r, release_at=NOW + timedelta(days=3)),
         "lead.release_warned", to_lead,
         ("Lead returning to the pool: Ningbo Star Logistics", "线索即将退回公海：Ningbo Star Logistics")),
    Case("on_lead_assigned", lambda r: lead(ev.LeadAssigned, r, MANAGER, rule="round_robin"), "lead.assigned",
         to_lead, ("Lead assigned: Ningbo Star Logistics", "新线索：Ningbo Star Logistics")),
    Case("on_lead_transferred", lambda r: lead(ev.LeadTransferred, r, MANAGER, reason="deactivation"),
         "lead.transferred", to_lead,
         ("Lead transferred to you: Ningbo Star Logistics", "线索已转给您：Ningbo Star Logistics")),
    Case("on_lead_import_finished", lead_import, "lead_import.completed",
         lambda e: f"/leads/imports/{e['import_id']}", ("Lead import finished: leads.csv", "线索导入完成：leads.csv"),
         role="sales_manager"),
    Case("on_lead_import_finished", lambda r: lead_import(r, "failed", "Malformed CSV on line 3."),
         "lead_import.failed", lambda e: f"/leads/imports/{e['import_id']}",
         ("Lead import failed: leads.csv", "线索导入失败：leads.csv"), role="sales_manager"),
    Case("on_quote_approval_requested",
         lambda _: quote(ev.QuoteApprovalRequested, str(uuid.uuid4()), actor=None, reasons=["discount 20 % > 15 %"]),
         "quote.approval_requested", to_quote,
         ("Quote to approve: Q-2026-0042 v2", "报价待审批：Q-2026-0042 v2"), role="sales_manager", by_directory=True),
    Case("on_quote_accepted", lambda r: quote(ev.QuoteAccepted, r), "quote.accepted", to_quote,
         ("Quote accepted: Q-2026-0042 v2", "报价已接受：Q-2026-0042 v2")),
    Case("on_quote_rejected", lambda r: quote(ev.QuoteRejected, r, reason="Too expensive"), "quote.rejected",
         to_quote, ("Quote rejected: Q-2026-0042 v2", "报价被拒：Q-2026-0042 v2")),
    Case("on_contract_renewal_due", contract, "contract.renewal_due", to_contract,
         ("Contract up for renewal: C-2026-0007", "合同待续签：C-2026-0007")),
    Case("on_milestone_due", lambda r: milestone(ev.MilestoneDue, r, days_left=3), "milestone.due", to_contract,
         ("Payment due in 3 day(s): C-2026-0007", "3 天后到期的回款：C-2026-0007")),
    Case("on_milestone_overdue", lambda r: milestone(ev.MilestoneOverdue, r), "milestone.overdue", to_contract,
         ("Payment overdue: C-2026-0007", "回款逾期：C-2026-0007")),
    Case("on_activity_due", lambda r: activity(ev.ActivityDue, r), "activity.due", to_activity,
         ("Reminder: Call Zhao Min about the PVG lane", "待办提醒：Call Zhao Min about the PVG lane")),
    Case("on_activity_overdue", lambda r: activity(ev.ActivityOverdue, r), "activity.overdue", to_activity,
         ("Overdue: Call Zhao Min about the PVG lane", "已逾期：Call Zhao Min about the PVG lane")),
    Case("on_ticket_sla_warning", lambda r: escalation(sd.TicketSlaWarning, r), "ticket.sla_warning", to_ticket,
         ("SLA warning: Container held at DEHAM", "SLA 预警：Container held at DEHAM"), role="service_agent"),
    Case("on_ticket_sla_breached", lambda r: escalation(sd.TicketSlaBreached, r), "ticket.sla_breached",
         to_ticket, ("SLA breached: Container held at DEHAM", "SLA 已超时：Container held at DEHAM"),
         role="service_agent"),
]
IDS = [c.kind for c in CASES]


@pytest.fixture
def given(service: NotifyService) -> Callable[..., str]:
    """A user the directory knows (from a ``user.created`` event); returns their id."""
    def user(role: str = "sales_rep", region: str | None = "east", language: str | None = None,
             time_zone: str | None = None) -> str:
        user_id = str(uuid.uuid4())
        service.on_user_created(event(UserCreated, user_id=user_id, username=f"u-{user_id[:8]}", role=role,
                                      region=region, active=True, language=language, time_zone=time_zone))
        return user_id
    return user


@pytest.fixture
def inbox(sessions) -> Callable[[str], list[Notification]]:
    def of(user_id: str) -> list[Notification]:
        with sessions() as session:
            return session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.created_at)).all()
    return of


def total(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Notification))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_kind_reaches_the_person_who_acts_in_their_language(service, given, inbox, case):
    english, chinese = given(case.role, language="en"), given(case.role, language="zh")
    bystander = given("sales_rep", region="west")

    events = [case.make(None)] if case.by_directory else [case.make(english), case.make(chinese)]
    for e in events:
        getattr(service, case.handler)(e)

    [en], [zh] = inbox(english), inbox(chinese)
    assert (en.kind, en.title, zh.kind, zh.title) == (case.kind, case.titles[0], case.kind, case.titles[1])
    assert en.link == case.link(events[0]) and zh.link == case.link(events[-1])
    assert en.body and zh.body and inbox(bystander) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_event_delivered_twice_notifies_once(service, given, sessions, case):
    recipient = given(case.role)
    e = case.make(recipient)

    getattr(service, case.handler)(e)
    getattr(service, case.handler)(e)

    assert total(sessions) == 1


@pytest.mark.parametrize("case", [c for c in CASES if c.kind not in ("activity.due", "activity.overdue")],
                         ids=[k for k in IDS if not k.startswith("activity.")])
def test_an_event_naming_nobody_notify_can_find_makes_nothing(service, given, sessions, case):
    given("sales_rep")  # not a manager, not an admin, not named

    getattr(service, case.handler)(case.make(None))  # activities always name their owner (the schema says so)

    assert total(sessions) == 0


def test_a_deactivated_owner_gets_no_reminder(service, given, sessions):
    owner = given()
    service.on_user_deactivated(event(UserDeactivated, user_id=owner, username="gone", role="sales_rep",
                                      active=False))

    service.on_activity_overdue(activity(ev.ActivityOverdue, owner))

    assert total(sessions) == 0


def test_approval_requests_reach_the_sales_managers_of_the_quotes_region_only(service, given, inbox):
    east, other_east, west = given("sales_manager"), given("sales_manager"), given("sales_manager", region="west")
    rep, admin = given("sales_rep"), given("admin", region=None)

    service.on_quote_approval_requested(quote(ev.QuoteApprovalRequested, rep, actor=None, reasons=["margin"]))

    assert [len(inbox(u)) for u in (east, other_east, west, rep, admin)] == [1, 1, 0, 0, 0]
    assert "margin" in inbox(east)[0].body


def test_a_region_without_a_sales_manager_sends_approval_requests_to_the_admins(service, given, inbox):
    admin, west = given("admin", region=None), given("sales_manager", region="west")

    service.on_quote_approval_requested(quote(ev.QuoteApprovalRequested, None, actor=None, reasons=["margin"]))

    assert [len(inbox(u)) for u in (admin, west)] == [1, 0]


def test_a_manager_asking_for_approval_is_not_told_to_approve(service, given, inbox):
    asking, other = given("sales_manager"), given("sales_manager")
    actor = Identity(user_id=asking, role="sales_manager", region="east")

    service.on_quote_approval_requested(quote(ev.QuoteApprovalRequested, asking, actor=actor, reasons=["margin"]))

    assert [len(inbox(u)) for u in (asking, other)] == [0, 1]


def test_an_answer_the_owner_recorded_themselves_is_not_news_to_them(service, given, sessions):
    owner = given()

    service.on_quote_accepted(quote(ev.QuoteAccepted, owner, actor=Identity(user_id=owner, role="sales_rep")))

    assert total(sessions) == 0


def test_a_contract_without_owner_reminds_the_accounts_owner(service, given, inbox):
    account_owner = given()
    account = event(AccountCreated, account_id=uuid.uuid4(), customer_code="C-9", name="Acme Freight",
                    status="active", region="east", owner_id=account_owner, version=1)
    service.on_account_created(account)

    service.on_contract_renewal_due(contract(None, account_id=account["account_id"]))
    service.on_milestone_overdue(milestone(ev.MilestoneOverdue, None, account_id=account["account_id"]))

    assert [n.kind for n in inbox(account_owner)] == ["account.assigned", "contract.renewal_due",
                                                      "milestone.overdue"]


def test_a_breach_reaches_the_assignee_and_the_service_managers_of_the_region(service, given, inbox):
    agent, east, west = given("service_agent"), given("service_manager"), given("service_manager", region="west")

    service.on_ticket_sla_breached(escalation(sd.TicketSlaBreached, agent))
    service.on_ticket_sla_warning(escalation(sd.TicketSlaWarning, agent))

    assert [n.kind for n in inbox(agent)] == ["ticket.sla_breached", "ticket.sla_warning"]
    assert [n.kind for n in inbox(east)] == ["ticket.sla_breached"]  # a warning is the assignee's to act on
    assert inbox(west) == []


def test_a_warning_for_an_unassigned_ticket_goes_to_the_managers_who_hand_it_out(service, given, inbox):
    anywhere = given("service_manager", region=None)  # no manager in the ticket's region: the region-less one

    service.on_ticket_sla_warning(escalation(sd.TicketSlaWarning, None, region="south", target="first_response"))

    [note] = inbox(anywhere)
    assert "80 % of the first response time" in note.body and "nobody is assigned" in note.body


def test_a_payment_due_today_says_so_and_times_are_written_in_utc(service, given, inbox):
    owner = given()

    service.on_milestone_due(milestone(ev.MilestoneDue, owner, days_left=0))
    service.on_activity_due(activity(ev.ActivityDue, owner))

    [payment, call] = inbox(owner)
    assert payment.title == "Payment due today: C-2026-0007" and "12,800.00 CNY" in payment.body
    assert call.body == "Your call “Call Zhao Min about the PVG lane” is due at 2026-03-02 10:00 UTC."


@pytest.mark.parametrize(("time_zone", "due"), [
    ("Asia/Shanghai", "2026-03-02 18:00 UTC+08:00"),
    ("America/New_York", "2026-03-02 05:00 UTC-05:00"),
    ("Mars/Olympus_Mons", "2026-03-02 10:00 UTC"),  # a zone nobody knows: UTC, never a guess
])
def test_times_are_given_in_the_users_time_zone_with_its_offset(service, given, inbox, time_zone, due):
    owner = given(time_zone=time_zone)

    service.on_activity_due(activity(ev.ActivityDue, owner))

    assert inbox(owner)[0].body == f"Your call “Call Zhao Min about the PVG lane” is due at {due}."


@pytest.mark.parametrize(("language", "title"), [
    ("zh-CN", "已逾期：Call Zhao Min about the PVG lane"),
    ("fr", "Overdue: Call Zhao Min about the PVG lane"),  # no French templates: the default
    (None, "Overdue: Call Zhao Min about the PVG lane"),
])
def test_the_language_a_user_states_picks_the_templates(service, given, inbox, language, title):
    owner = given(language=language)

    service.on_activity_overdue(activity(ev.ActivityOverdue, owner))

    assert inbox(owner)[0].title == title


def test_a_user_the_directory_has_not_heard_of_yet_is_written_to_in_the_default_language(service, inbox):
    owner = str(uuid.uuid4())  # their user.created is still on the way

    service.on_lead_release_warned(lead(ev.LeadReleaseWarned, owner, release_at=NOW))

    assert inbox(owner)[0].body == ("Ningbo Star Logistics returns to the public pool on 2026-03-02 09:30 UTC "
                                    "unless you log an activity on it before then.")


def test_every_event_notify_handles_has_its_queue_declared():
    handled = [(name, extension.event_cls) for name, method in vars(NotifyService).items()
               for extension in getattr(method, "nameko_entrypoints", ())
               if isinstance(extension, ReliableEventHandler)]

    assert len(handled) == 22
    assert [h for h in handled if subscriptions.find("notify", *h) is None] == []
