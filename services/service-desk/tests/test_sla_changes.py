"""An SLA policy change moves the clocks of the open tickets it governs at once, in its own transaction:
audited and published like any ticket change, flags already raised kept, closed tickets left alone."""

from datetime import timedelta

from crm_service_desk import escalation, lifecycle, sla, tickets
from crm_service_desk.models import AUDIT
from sqlalchemy import select

TTL = timedelta(days=14)


def _rescheduled(given, ticket_id: str) -> list[dict]:
    rows = given.uow.session.execute(select(AUDIT.c.changes).where(
        AUDIT.c.entity_id == ticket_id, AUDIT.c.action == "sla_rescheduled").order_by(AUDIT.c.id)).all()
    return [row[0] for row in rows]


def test_a_new_policy_gives_the_open_tickets_of_its_priority_their_targets(given, uow, admin):
    account = given.account(tier="B")
    waiting = given.ticket(account_id=account.account_id)  # tracking × B: normal, no policy yet
    done = given.ticket(account_id=account.account_id)
    lifecycle.resolve(uow, admin, done.id, {"resolution": "Found it."}, TTL)
    high = given.ticket(account_id=account.account_id, priority="high")
    assert waiting.sla_policy_id is None

    policy = given.policy("normal", first=60, resolution=480)

    assert (waiting.sla_policy_id, waiting.first_response_due_at) == (policy.id,
                                                                     waiting.created_at + timedelta(minutes=60))
    assert waiting.sla_next_check_at == waiting.first_response_warn_at
    assert (done.sla_policy_id, high.sla_policy_id) == (None, None)  # resolved; another priority
    [update] = [e for e in given.events("ticket.updated") if e["ticket_id"] == waiting.id]
    assert set(update["changed"]) >= {"sla_policy_id", "first_response_due_at", "resolution_due_at"}
    assert update["first_response_due_at"] == waiting.first_response_due_at.isoformat()
    [audited] = _rescheduled(given, waiting.id)
    assert audited["sla_policy_id"] == {"old": None, "new": policy.id}


def test_shorter_targets_move_open_tickets_and_raised_flags_stay_raised(given, uow, admin):
    policy = given.policy("normal", first=10, resolution=100)
    ticket = given.ticket(account_id=given.account().account_id)
    start = ticket.created_at
    escalation.tick(uow, start + timedelta(minutes=11))
    assert ticket.first_response_breached and len(given.events("ticket.sla_breached")) == 1

    sla.update(uow, admin, policy.id, {"first_response_minutes": 60, "resolution_minutes": 50 * 60})

    assert ticket.first_response_due_at == start + timedelta(minutes=60)
    assert ticket.resolution_warn_at == start + timedelta(minutes=40 * 60)
    assert ticket.first_response_breached  # a later target does not take back a breach already recorded
    escalation.tick(uow, start + timedelta(minutes=59))
    assert len(given.events("ticket.sla_breached")) == 1 and given.events("ticket.sla_warning") == []

    sla.update(uow, admin, policy.id, {"resolution_minutes": 120})  # now past its warning point

    escalation.tick(uow, start + timedelta(minutes=100))
    escalation.tick(uow, start + timedelta(minutes=101))
    [warning] = given.events("ticket.sla_warning")
    assert (warning["target"], warning["ticket_id"]) == ("resolution", ticket.id)


def test_deactivating_a_tier_policy_hands_its_tickets_to_the_general_one(given, uow, admin):
    account = given.account(tier="A")
    general = given.policy("normal", first=120)
    for_a = given.policy("normal", tier="A", first=30)
    running, waiting = given.ticket(account_id=account.account_id), given.ticket(account_id=account.account_id)
    tickets.update(uow, admin, waiting.id, {"status": "pending"})
    assert (running.sla_policy_id, waiting.sla_policy_id) == (for_a.id, for_a.id)

    sla.update(uow, admin, for_a.id, {"active": False})

    assert (running.sla_policy_id, waiting.sla_policy_id) == (general.id, general.id)
    assert running.first_response_due_at == running.created_at + timedelta(minutes=120)
    assert waiting.sla_next_check_at is None  # the clock still waits on the customer


def test_a_new_name_or_an_inactive_policy_moves_no_ticket(given, uow, admin):
    policy = given.policy("normal")
    ticket = given.ticket(account_id=given.account().account_id)
    before = len(given.events("ticket.updated"))

    sla.update(uow, admin, policy.id, {"name": "Normal, renamed"})
    sla.create(uow, admin, {"name": "draft", "priority": "normal", "tier": "B", "first_response_minutes": 5,
                            "resolution_minutes": 10, "warn_percent": 80, "calendar": None, "active": False})

    assert len(given.events("ticket.updated")) == before
    assert _rescheduled(given, ticket.id) == []


def test_a_new_calendar_moves_due_times_into_business_hours(given, uow, admin):
    policy = given.policy("normal", first=60, resolution=480)
    ticket = given.ticket(account_id=given.account().account_id)
    holidays = [(ticket.created_at + timedelta(days=d)).date().isoformat() for d in range(-1, 3)]
    calendar = {"timezone": "Asia/Shanghai", "hours": {day: [{"start": "09:00", "end": "18:00"}]
                                                        for day in ("mon", "tue", "wed", "thu", "fri")},
                "holidays": holidays}

    sla.update(uow, admin, policy.id, {"calendar": calendar})

    assert ticket.first_response_due_at > ticket.created_at + timedelta(days=2)  # no working time until then
