"""Proactive exception handling through the real entrypoints: a TMS exception opens exactly one
ticket, routes it and asks notify to warn the customer; unknown customers are linked later."""

import uuid
from datetime import UTC, datetime, timedelta

from crm_contracts.identity import Identity
from crm_service_desk.models import TABLES, Comment, Shipment, Ticket
from sqlalchemy import func, select

ADMIN = Identity(user_id=str(uuid.uuid4()), role="admin", username="admin")


def tms(code: str, reference: str, **fields) -> dict:
    return {"event_id": uuid.uuid4(), "occurred_at": datetime.now(UTC), "schema_version": 1, "actor": None,
            "customer_code": code, "reference": reference, **fields}


def exception(code: str, reference: str, kind: str = "delay", **fields) -> dict:
    return tms(code, reference, **{"exception_type": kind, "severity": "medium", "location": None, "eta": None,
                                   "description": "Vessel delayed by typhoon", **fields})


def account_event(code: str, **fields) -> dict:
    return {"event_id": uuid.uuid4(), "occurred_at": datetime.now(UTC), "schema_version": 1, "actor": None,
            "account_id": str(uuid.uuid4()), "customer_code": code, "name": "Acme", "status": "active",
            "tier": "A", "owner_id": str(uuid.uuid4()), "team": None, "region": "east", "industry": None,
            "version": 1, **fields}


def agent_event() -> dict:
    user_id = str(uuid.uuid4())
    return {"event_id": uuid.uuid4(), "occurred_at": datetime.now(UTC), "schema_version": 1, "actor": None,
            "user_id": user_id, "username": "li.na", "role": "service_agent", "email": "li.na@example.com",
            "full_name": "Li Na", "region": "east", "team": None, "account_id": None, "active": True}


def outbox(sessions, routing_key: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(TABLES.outbox)
                              .where(TABLES.outbox.c.routing_key == routing_key))


def test_an_exception_opens_one_assigned_ticket_and_asks_for_the_customer_warning(service, sessions):
    account = account_event("ACME")
    agent = agent_event()
    service.on_account_created(account)
    service.on_user_created(agent)
    service.caller.require.return_value = ADMIN
    service.create_skill_group({"name": "Exceptions", "categories": ["exception"],
                                "members": [{"user_id": agent["user_id"], "capacity": 5}]})
    event = exception("ACME", "SHP-1", kind="damage", severity="high")

    service.on_shipment_exception(event)
    service.on_shipment_exception(event)  # delivered twice

    with sessions() as session:
        [ticket] = session.scalars(select(Ticket)).all()
        assert (ticket.account_id, ticket.assignee_id, ticket.channel) == (account["account_id"], agent["user_id"],
                                                                           "system")
        assert (ticket.category, ticket.priority, ticket.source_event_id) == ("exception", "high",
                                                                              str(event["event_id"]))
        assert session.get(Shipment, "SHP-1").open_exceptions == 1
    assert (outbox(sessions, "customer.alert_requested"), outbox(sessions, "ticket.assigned")) == (1, 1)


def test_a_repeat_report_of_an_open_exception_is_a_note_not_a_second_ticket(service, sessions):
    service.on_shipment_exception(exception("ACME", "SHP-2"))

    service.on_shipment_exception(exception("ACME", "SHP-2"))
    service.on_shipment_exception(exception("ACME", "SHP-2", kind="customs_hold"))

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2
        [note] = session.scalars(select(Comment)).all()
        assert (note.visibility, note.author_name) == ("internal", "TMS")
        assert session.get(Shipment, "SHP-2").open_exceptions == 2  # one per open exception ticket


def test_an_unknown_customer_is_kept_and_linked_and_warned_when_the_account_appears(service, sessions):
    service.on_shipment_booked(tms("NEWCO", "SHP-3", mode="air", origin="CNSZX", destination="USLAX",
                                   pieces=1, weight_kg=None, volume_cbm=None, eta=None, carrier=None))
    service.on_shipment_exception(exception("NEWCO", "SHP-3"))
    assert outbox(sessions, "customer.alert_requested") == 0

    account = account_event("NEWCO", tier="VIP")
    service.on_account_created(account)

    with sessions() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.account_id, ticket.priority) == (account["account_id"], "urgent")
        assert session.get(Shipment, "SHP-3").account_id == account["account_id"]
    assert outbox(sessions, "customer.alert_requested") == 1


def test_where_is_my_cargo_answered_from_out_of_order_events(service):
    later = datetime.now(UTC)
    earlier = later - timedelta(hours=3)
    service.on_account_created(account_event("ACME2"))
    arrived = tms("ACME2", "SHP-4", status="arrived", location="DEHAM", description=None, eta=None)
    arrived["occurred_at"] = later
    departed = tms("ACME2", "SHP-4", status="departed", location="CNSHA", description=None,
                   eta=later + timedelta(days=9))
    departed["occurred_at"] = earlier

    service.on_shipment_status_changed(arrived)
    service.on_shipment_status_changed(departed)
    service.on_shipment_status_changed(departed)  # a duplicate changes nothing

    service.caller.require.return_value = ADMIN
    shipment = service.get_shipment("SHP-4")
    assert (shipment["status"], shipment["last_location"]) == ("arrived", "DEHAM")
    assert [m["status"] for m in shipment["milestones"]] == ["departed", "arrived"]
    assert shipment["eta"] is not None


def test_the_portal_customer_raises_and_follows_their_own_ticket(service):
    account = account_event("ACME3")
    service.on_account_created(account)
    customer = Identity(user_id=str(uuid.uuid4()), role="customer", account_id=account["account_id"])
    service.caller.require.return_value = customer

    created = service.create_ticket({"subject": "Damaged carton", "description": "Box 3 crushed",
                                     "category": "claim"})
    service.add_comment(created["id"], {"body": "Photos attached", "attachments": [
        {"filename": "box3.jpg", "content_type": "image/jpeg", "size_bytes": 20480}]})

    page = service.list_tickets({})
    assert [t["id"] for t in page["items"]] == [created["id"]]
    assert (created["channel"], created["account_id"], created["priority"]) == ("web", account["account_id"], "high")
    [comment] = service.list_comments(created["id"])["items"]
    assert comment["attachments"][0]["filename"] == "box3.jpg"
