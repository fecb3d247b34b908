"""Customer figures from events: shipments counted by customer code, visibility by the shared rule."""

import uuid

import pytest
from crm_analytics import customers
from crm_analytics.models import Base, CustomerFact
from crm_contracts.chassis import account_view
from crm_contracts.errors import NotFound
from crm_contracts.events import AccountCreated, ShipmentBooked, build, parse
from crm_contracts.identity import Identity
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

ADMIN = Identity(user_id="a", role="admin")
SOUTH_REP = Identity(user_id="s", role="sales_rep", region="south", team="t9")


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with sessionmaker(engine)() as s:
        yield s


def booked(reference: str, origin: str = "CNSHA") -> dict:
    return parse(ShipmentBooked, build(ShipmentBooked, customer_code="C-7", reference=reference, mode="air",
                                       origin=origin, destination="DEHAM"))


def given_customer(session) -> str:
    account_id = str(uuid.uuid4())
    account_view.apply(session, CustomerFact, parse(AccountCreated, build(
        AccountCreated, account_id=account_id, customer_code="C-7", name="Acme", status="active",
        region="east", team="t1", version=1)))
    return account_id


def test_shipments_booked_before_and_after_the_account_appears_are_all_counted_once(session):
    customers.record_shipment(session, booked("R1"))
    account_id = given_customer(session)
    customers.record_shipment(session, booked("R2", origin="CNNGB"))
    customers.record_shipment(session, booked("R2", origin="CNNGB"))  # the same shipment again
    session.flush()

    figures = customers.figures(session, ADMIN, account_id)

    assert figures["shipments_booked"] == 2
    assert figures["lanes"] == {"CNSHA-DEHAM": 1, "CNNGB-DEHAM": 1}
    assert figures["last_shipment_at"].endswith("Z")


def test_a_rep_of_another_region_sees_no_figures(session):
    account_id = given_customer(session)

    with pytest.raises(NotFound):
        customers.figures(session, SOUTH_REP, account_id)
