"""``account.merged`` through the real entrypoints: the duplicate's tickets, shipments, SOPs and
surveys move to the survivor once, audited; TMS events still carrying the duplicate's code land on the
survivor; a late snapshot of the duplicate does not bring it back."""

import uuid

import pytest
from crm_contracts.chassis import audit
from crm_contracts.errors import NotFound
from crm_contracts.events import (
    AccountUpdated,
    ShipmentBooked,
    ShipmentException,
    build,
    parse,
)
from crm_contracts.identity import Identity
from crm_contracts.testing.accounts import MERGER, id_of
from crm_contracts.testing.accounts import account_event as account
from crm_contracts.testing.accounts import merged_event as merged
from crm_service_desk.models import AUDIT, TABLES, AccountView, Article, Shipment, Ticket
from sqlalchemy import func, select

ADMIN = Identity(user_id=str(uuid.uuid4()), role="admin", username="admin")


def booked(code: str, reference: str) -> dict:
    return parse(ShipmentBooked, build(ShipmentBooked, customer_code=code, reference=reference, mode="sea_fcl",
                                       origin="CNSHA", destination="DEHAM"))


def exception(code: str, reference: str) -> dict:
    return parse(ShipmentException, build(ShipmentException, customer_code=code, reference=reference,
                                          exception_type="damage", severity="high", description="Crushed pallet"))


def published(sessions, routing_key: str) -> list[dict]:
    from crm_contracts import jsonio

    with sessions() as session:
        rows = session.execute(select(TABLES.outbox.c.body).where(TABLES.outbox.c.routing_key == routing_key)
                               .order_by(TABLES.outbox.c.id)).all()
    return [jsonio.loads(row[0]) for row in rows]


def trail(sessions, entity: str, entity_id: str) -> list[dict]:
    with sessions() as session:
        return audit.history(session, AUDIT, entity=entity, entity_id=entity_id)


@pytest.fixture
def pair(service):
    """Survivor A (a VIP) and duplicate B (tier C), both known to the service desk; the caller is an admin."""
    survivor, duplicate = account("A-CORP", tier="VIP"), account("B-CORP", tier="C")
    service.on_account_created(survivor)
    service.on_account_created(duplicate)
    service.caller.require.return_value = ADMIN
    return survivor, duplicate


def test_the_duplicates_tickets_shipments_sops_and_surveys_move_to_the_survivor_once(service, sessions, pair):
    survivor, duplicate = pair
    a, b = id_of(survivor), id_of(duplicate)
    service.on_shipment_booked(booked("B-CORP", "SHP-B1"))
    ticket = service.create_ticket({"subject": "Where is SHP-B1?", "description": "No news", "category": "tracking",
                                    "account_id": b})
    answered = service.create_ticket({"subject": "Invoice copy", "description": "Please resend",
                                      "category": "billing", "account_id": b})
    service.resolve_ticket(answered["id"], {"resolution": "Sent."})
    [request] = published(sessions, "survey.requested")
    service.answer_survey(request["token"], {"csat": 4, "nps": 9})
    sop = service.create_article({"title": "B-CORP SOP", "body": "Call before delivery", "kind": "sop",
                                  "category": "tracking", "account_id": b, "status": "published"})
    event = merged(survivor, duplicate)

    service.on_account_merged(event)
    service.on_account_merged(event)  # delivered twice

    with sessions() as session:
        moved = session.get(Ticket, ticket["id"])
        assert (moved.account_id, moved.customer_code, moved.tier, moved.priority) == (a, "A-CORP", "VIP", "high")
        assert session.get(Shipment, "SHP-B1").account_id == a
        assert session.get(Article, sop["id"]).account_id == a
        assert (session.get(AccountView, b).status, session.get(AccountView, b).merged_into) == ("merged", a)
    assert {t["id"] for t in service.list_tickets({"account_id": a})["items"]} == {ticket["id"], answered["id"]}
    assert [s["reference"] for s in service.list_shipments({"account_id": a})["items"]] == ["SHP-B1"]
    summary = service.account_summary(a)
    assert [t["id"] for t in summary["recent_open_tickets"]] == [ticket["id"]]
    assert summary["satisfaction"]["surveys_answered"] == 1
    moves = [e for e in published(sessions, "ticket.updated") if "account_id" in e["changed"]]
    assert sorted((e["ticket_id"], e["account_id"]) for e in moves) == sorted([(ticket["id"], a), (answered["id"], a)])
    assert moves[0]["actor"]["user_id"] == MERGER.user_id
    assert [e["id"] for e in published(sessions, "kb_article.changed")] == [sop["id"], sop["id"]]  # created, moved
    [ticket_move] = [e for e in trail(sessions, "ticket", ticket["id"]) if e["action"] == "account_merged"]
    assert ticket_move["changes"]["account_id"] == {"old": b, "new": a}
    assert ticket_move["actor_id"] == MERGER.user_id
    [shipment_move] = trail(sessions, "shipment", "SHP-B1")
    assert shipment_move["changes"]["account_id"] == {"old": b, "new": a}
    [merge] = trail(sessions, "account", b)
    assert merge["changes"]["moved"]["new"] == {"tickets": 2, "shipments": 1, "kb_articles": 1}


def test_the_duplicates_id_and_code_lead_to_the_survivor_afterwards(service, sessions, pair):
    survivor, duplicate = pair
    a, b = id_of(survivor), id_of(duplicate)
    service.on_shipment_booked(booked("B-CORP", "SHP-B2"))

    service.on_account_merged(merged(survivor, duplicate))
    service.on_shipment_booked(booked("B-CORP", "SHP-B3"))
    service.on_shipment_exception(exception("B-CORP", "SHP-B3"))
    raised = service.create_ticket({"subject": "Claim", "description": "Wet cartons", "category": "claim",
                                    "account_id": b})

    with sessions() as session:
        assert session.get(Shipment, "SHP-B3").account_id == a
        assert session.scalar(select(Ticket.account_id).where(Ticket.shipment_reference == "SHP-B3")) == a
    assert raised["account_id"] == a
    [alert] = published(sessions, "customer.alert_requested")
    assert (alert["account_id"], alert["owner_id"]) == (a, survivor["owner_id"])
    assert {s["reference"] for s in service.list_shipments({"account_id": b})["items"]} == {"SHP-B2", "SHP-B3"}
    with pytest.raises(NotFound) as gone:
        service.account_summary(b)
    assert gone.value.extra["merged_into"] == a


def test_tms_events_held_for_a_code_never_seen_are_linked_to_the_survivor(service, sessions):
    survivor, duplicate = account("A-HOLD", tier="A"), account("B-HOLD")
    service.on_account_created(survivor)
    service.on_shipment_booked(booked("B-HOLD", "SHP-H1"))
    service.on_shipment_exception(exception("B-HOLD", "SHP-H1"))  # B itself never reached the service desk
    assert published(sessions, "customer.alert_requested") == []

    service.on_account_merged(merged(survivor, duplicate))

    with sessions() as session:
        assert session.get(Shipment, "SHP-H1").account_id == id_of(survivor)
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.account_id, ticket.customer_code, ticket.region) == (id_of(survivor), "A-HOLD", "east")
    [alert] = published(sessions, "customer.alert_requested")
    assert alert["owner_id"] == survivor["owner_id"]


def test_a_snapshot_of_the_duplicate_arriving_after_the_merge_does_not_bring_it_back(service, sessions):
    survivor, duplicate = account("A-LATE"), account("B-LATE")
    service.on_account_created(survivor)

    service.on_account_merged(merged(survivor, duplicate))
    service.on_account_created(duplicate)  # the duplicate's snapshots were still on the way
    service.on_account_updated(account("B-LATE", event=AccountUpdated, version=2,
                                       account_id=id_of(duplicate), name="B-Late Renamed"))
    service.on_shipment_booked(booked("B-LATE", "SHP-L1"))

    with sessions() as session:
        row = session.get(AccountView, id_of(duplicate))
        assert (row.status, row.merged_into, row.name, row.version) == ("merged", id_of(survivor),
                                                                        "B-Late Renamed", 2)
        assert session.get(Shipment, "SHP-L1").account_id == id_of(survivor)


def test_the_merged_snapshot_arriving_first_already_sends_new_tms_events_to_the_survivor(service, sessions, pair):
    survivor, duplicate = pair
    service.on_shipment_booked(booked("B-CORP", "SHP-E1"))

    service.on_account_updated(account("B-CORP", event=AccountUpdated, version=2, account_id=id_of(duplicate),
                                       status="merged", merged_into=id_of(survivor)))
    service.on_shipment_booked(booked("B-CORP", "SHP-E2"))
    with sessions() as session:
        # The merge itself moves what was linked before; until it arrives, the old shipment stays put.
        assert session.get(Shipment, "SHP-E1").account_id == id_of(duplicate)
        assert session.get(Shipment, "SHP-E2").account_id == id_of(survivor)
    service.on_account_merged(merged(survivor, duplicate))

    with sessions() as session:
        assert session.get(Shipment, "SHP-E1").account_id == id_of(survivor)


def test_merges_delivered_out_of_order_still_end_on_the_last_survivor(service, sessions):
    first, second, last = account("M-1"), account("M-2"), account("M-3")
    for each in (first, second, last):
        service.on_account_created(each)
    service.on_shipment_booked(booked("M-1", "SHP-M1"))

    service.on_account_merged(merged(last, second))  # M-2 into M-3, delivered before ...
    service.on_account_merged(merged(second, first))  # ... M-1 into M-2, which happened first
    service.on_shipment_booked(booked("M-1", "SHP-M2"))

    with sessions() as session:
        assert {s.account_id for s in session.scalars(select(Shipment))} == {id_of(last)}
        assert session.scalar(select(func.count()).select_from(AccountView)
                              .where(AccountView.merged_into == id_of(last))) == 2
