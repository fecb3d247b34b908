"""``account.merged`` through the real entrypoints: the duplicate's figures fold into the survivor's
once, bookings under the old code keep counting for the survivor, and a late snapshot of the
duplicate does not bring it back."""

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from crm_analytics.models import AUDIT, TABLES, Base, CustomerFact
from crm_analytics.service import AnalyticsService
from crm_contracts.chassis import audit
from crm_contracts.chassis.database import DatabaseAccess
from crm_contracts.errors import NotFound
from crm_contracts.events import AccountUpdated, ShipmentBooked, build, parse
from crm_contracts.identity import Identity
from crm_contracts.testing.accounts import MERGER, id_of
from crm_contracts.testing.accounts import account_event as account
from crm_contracts.testing.accounts import merged_event as merged
from crm_contracts.testing.units import sqlite_sessions
from nameko.testing.services import worker_factory

ADMIN = Identity(user_id=str(uuid.uuid4()), role="admin", username="admin")
LAST_YEAR = datetime.now(UTC) - timedelta(days=365)


@pytest.fixture
def sessions(tmp_path):
    with sqlite_sessions(Base.metadata, tmp_path / "analytics.db") as made:
        yield made


@pytest.fixture
def service(sessions):
    """The real service class on its real database access, called by an admin."""
    provider = SimpleNamespace(sessions=sessions, tables=TABLES, kick_relay=lambda: None)
    worker = worker_factory(AnalyticsService, db=DatabaseAccess(provider))
    worker.caller.require.return_value = ADMIN
    return worker


def booked(code: str, origin: str = "CNSHA") -> dict:
    return parse(ShipmentBooked, build(ShipmentBooked, customer_code=code, reference=f"R-{uuid.uuid4().hex[:8]}",
                                       mode="air", origin=origin, destination="DEHAM"))


def test_the_duplicates_bookings_and_age_fold_into_the_survivor_once(service, sessions):
    survivor, duplicate = account("A-AIR"), account("B-AIR", occurred_at=LAST_YEAR)
    service.on_account_created(survivor)
    service.on_account_created(duplicate)
    service.on_shipment_booked(booked("A-AIR"))
    service.on_shipment_booked(booked("B-AIR", origin="CNNGB"))
    service.on_shipment_booked(booked("B-AIR", origin="CNNGB"))
    event = merged(survivor, duplicate)

    service.on_account_merged(event)
    service.on_account_merged(event)  # delivered twice

    figures = service.get_customer(id_of(survivor))
    assert (figures["shipments_booked"], figures["lanes"]) == (3, {"CNSHA-DEHAM": 1, "CNNGB-DEHAM": 2})
    assert figures["first_seen_at"] == LAST_YEAR.isoformat().replace("+00:00", "Z")
    with pytest.raises(NotFound) as gone:
        service.get_customer(id_of(duplicate))
    assert gone.value.extra["merged_into"] == id_of(survivor)
    with sessions() as session:
        [folded] = audit.history(session, AUDIT, entity="customer", entity_id=id_of(survivor))
        [marked] = audit.history(session, AUDIT, entity="customer", entity_id=id_of(duplicate))
    assert (folded["action"], folded["actor_id"]) == ("merged", MERGER.user_id)
    assert folded["changes"]["merged_from"]["new"] == id_of(duplicate) and "first_seen_at" in folded["changes"]
    assert marked["changes"]["merged_into"]["new"] == id_of(survivor)


def test_bookings_under_the_old_code_after_the_merge_count_for_the_survivor(service):
    survivor, duplicate = account("A-SEA"), account("B-SEA")
    service.on_account_created(survivor)
    service.on_account_created(duplicate)

    service.on_account_merged(merged(survivor, duplicate))
    service.on_shipment_booked(booked("B-SEA"))

    assert service.get_customer(id_of(survivor))["shipments_booked"] == 1


def test_a_snapshot_of_the_duplicate_arriving_after_the_merge_does_not_bring_it_back(service, sessions):
    survivor, duplicate = account("A-LATE"), account("B-LATE")
    service.on_shipment_booked(booked("B-LATE"))

    service.on_account_merged(merged(survivor, duplicate))  # neither snapshot has arrived yet
    service.on_account_created(survivor)
    service.on_account_created(duplicate)
    service.on_account_updated(account("B-LATE", event=AccountUpdated, version=2, account_id=id_of(duplicate),
                                       tier="A"))

    with sessions() as session:
        fact = session.get(CustomerFact, id_of(duplicate))
        assert (fact.status, fact.merged_into, fact.tier, fact.version) == ("merged", id_of(survivor), "A", 2)
    with pytest.raises(NotFound):
        service.get_customer(id_of(duplicate))
    assert service.get_customer(id_of(survivor))["shipments_booked"] == 1


def test_merges_delivered_out_of_order_fold_into_the_last_survivor(service):
    first, second, last = account("M-1"), account("M-2"), account("M-3")
    for each in (first, second, last):
        service.on_account_created(each)
        service.on_shipment_booked(booked(each["customer_code"]))

    service.on_account_merged(merged(last, second))  # M-2 into M-3, delivered before ...
    service.on_account_merged(merged(second, first))  # ... M-1 into M-2, which happened first

    assert service.get_customer(id_of(last))["shipments_booked"] == 3
