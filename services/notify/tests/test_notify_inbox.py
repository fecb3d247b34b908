"""The in-app inbox: who gets what, and who may read it."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from crm_contracts.errors import NotFound
from crm_contracts.events import AccountCreated, UserDeactivated, build, parse
from crm_contracts.identity import Identity
from crm_notify import inbox
from crm_notify.models import Base
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

REP = Identity(user_id=str(uuid.uuid4()), role="sales_rep", region="east", team="t1")
OTHER = Identity(user_id=str(uuid.uuid4()), role="sales_rep", region="east", team="t1")


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with sessionmaker(engine)() as s:
        yield s


def account_created(owner_id: str | None) -> dict:
    return parse(AccountCreated, build(AccountCreated, account_id=uuid.uuid4(), customer_code="C-9",
                                       name="Acme Freight", status="pending_review", region="east",
                                       owner_id=owner_id, version=1))


def test_a_new_account_notifies_its_owner_and_nobody_else(session):
    inbox.account_created(session, account_created(REP.user_id))
    session.flush()

    [note], cursor = inbox.list_for(session, REP, {"limit": 50})
    assert (note.kind, note.title, cursor) == ("account.assigned", "New customer: Acme Freight", None)
    assert "C-9" in note.body
    assert inbox.list_for(session, OTHER, {"limit": 50}) == ([], None)


def test_an_account_without_owner_notifies_nobody(session):
    assert inbox.account_created(session, account_created(None)) is None


def test_only_the_recipient_may_mark_a_notification_read(session):
    note = inbox.account_created(session, account_created(REP.user_id))
    session.flush()

    with pytest.raises(NotFound):
        inbox.mark_read(session, OTHER, note.id)
    assert inbox.mark_read(session, REP, note.id).read_at is not None
    assert inbox.list_for(session, REP, {"limit": 50, "unread": True}) == ([], None)


def test_a_deactivated_users_inbox_takes_no_new_notifications(session):
    at = datetime.now(timezone.utc)
    inbox.upsert_recipient(session, parse(UserDeactivated, build(
        UserDeactivated, occurred_at=at, user_id=REP.user_id, username="rep", role="sales_rep", active=False)))

    assert inbox.account_created(session, account_created(REP.user_id)) is None


def test_an_older_user_event_arriving_late_does_not_undo_a_newer_one(session):
    at = datetime.now(timezone.utc)
    newer = build(UserDeactivated, occurred_at=at, user_id=REP.user_id, username="rep", role="sales_rep",
                  active=False)
    older = {**newer, "event_id": str(uuid.uuid4()), "occurred_at": (at - timedelta(hours=1)).isoformat(),
             "active": True}
    inbox.upsert_recipient(session, parse(UserDeactivated, newer))
    inbox.upsert_recipient(session, parse(UserDeactivated, older))
    session.flush()

    assert inbox.account_created(session, account_created(REP.user_id)) is None


def test_an_assigned_ticket_and_a_customer_alert_reach_the_agent_and_the_owner(session):
    from crm_contracts.events.service_desk import CustomerAlertRequested

    alert = parse(CustomerAlertRequested, build(
        CustomerAlertRequested, account_id=uuid.uuid4(), customer_code="C-9", account_name="Acme Freight",
        owner_id=REP.user_id, ticket_id=uuid.uuid4(), shipment_reference="SHP-1", exception_type="customs_hold",
        severity="medium", description="Held for inspection", location="DEHAM"))

    note = inbox.customer_alert(session, alert)

    assert note.user_id == REP.user_id and note.title == "Shipment SHP-1: customs hold"
    assert "Held for inspection at DEHAM" in note.body
