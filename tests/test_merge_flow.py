"""A merge reaches every service that holds account links, end to end through the gateway and the bus
on real processes: the duplicate's ticket and shipment move to the survivor, the survivor's 360 view
and figures show them, and a TMS event still carrying the duplicate's code lands on the survivor."""

from __future__ import annotations

import pytest
import requests
from crm_contracts.events import ShipmentBooked
from crm_contracts.testing.waiting import eventually, unique
from crm_contracts.tms.publisher import TmsPublisher

from tests.api import Api

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    return response.json()


def new_account(api: Api, name: str) -> dict:
    return ok(api.post("/accounts", {"customer_code": unique("MG").upper(), "name": name, "region": "east"},
                       params={"allow_duplicate": "true"}), 201)


def book(system, code: str, reference: str) -> None:
    with TmsPublisher(system.amqp_uri) as tms:
        tms.publish(ShipmentBooked, customer_code=code, reference=reference, mode="sea_fcl", origin="CNSHA",
                    destination="DEHAM")


def shipment_on(api: Api, reference: str, account_id: str) -> dict:
    shipment = ok(api.get(f"/shipments/{reference}"))
    assert shipment["account_id"] == account_id
    return shipment


def test_a_merge_moves_the_duplicates_ticket_and_shipment_and_later_tms_events_to_the_survivor(system, admin):
    survivor = new_account(admin, unique("Merge Survivor Freight"))
    duplicate = new_account(admin, unique("Merge Duplicate Freight"))
    first, later = unique("SHP").upper(), unique("SHP").upper()
    ticket = ok(admin.post("/tickets", {"subject": "Where is my container?", "description": "No news since Monday",
                                        "category": "tracking", "account_id": duplicate["id"]}), 201)
    book(system, duplicate["customer_code"], first)
    eventually(lambda: shipment_on(admin, first, duplicate["id"]), timeout=20)

    ok(admin.post(f"/accounts/{survivor['id']}/merge", {"duplicate_id": duplicate["id"]}))

    def tickets_and_shipments_on_the_survivor() -> None:
        tickets = ok(admin.get("/tickets", params={"account_id": survivor["id"]}))["items"]
        shipments = ok(admin.get("/shipments", params={"account_id": survivor["id"]}))["items"]
        assert [t["id"] for t in tickets] == [ticket["id"]]
        assert [s["reference"] for s in shipments] == [first]

    eventually(tickets_and_shipments_on_the_survivor, timeout=20)
    view = ok(admin.get(f"/accounts/{survivor['id']}/360"))
    assert "service" not in view["degraded"]
    assert [t["id"] for t in view["service"]["recent_open_tickets"]] == [ticket["id"]]
    assert [s["reference"] for s in view["service"]["shipments_in_transit"]] == [first]
    assert ok(admin.get(f"/tickets/{ticket['id']}"))["customer_code"] == survivor["customer_code"]

    book(system, duplicate["customer_code"], later)  # the TMS keeps using the old code

    eventually(lambda: shipment_on(admin, later, survivor["id"]), timeout=20)
    figures = eventually(lambda: _booked(admin, survivor["id"], 2), timeout=20)
    assert figures["customer_code"] == survivor["customer_code"]


def _booked(api: Api, account_id: str, count: int) -> dict:
    figures = ok(api.get(f"/analytics/customers/{account_id}"))
    assert figures["shipments_booked"] == count
    return figures


def test_a_portal_user_of_the_duplicate_follows_it_to_the_survivor(system, admin):
    survivor = new_account(admin, unique("Portal Survivor Freight"))
    duplicate = new_account(admin, unique("Portal Duplicate Freight"))
    username, password = unique("portal"), "Secret-" + unique("pw")
    user = ok(admin.post("/users", {"username": username, "password": password, "role": "customer",
                                    "account_id": duplicate["id"]}), 201)
    portal = Api.login(system.gateway_url, username, password)
    ticket = ok(portal.post("/portal/tickets", {"subject": "Customs hold", "description": "Container held at DEHAM",
                                                "category": "inquiry"}), 201)

    ok(admin.post(f"/accounts/{survivor['id']}/merge", {"duplicate_id": duplicate["id"]}))

    def sees_its_ticket_on_the_survivor() -> None:
        [mine] = ok(portal.get("/portal/tickets"))["items"]
        assert (mine["id"], mine["account_id"]) == (ticket["id"], survivor["id"])
    eventually(sees_its_ticket_on_the_survivor, timeout=20)
    raised = ok(portal.post("/portal/tickets", {"subject": "Invoice copy", "description": "Please resend",
                                                "category": "billing"}), 201)
    assert raised["account_id"] == survivor["id"]
    assert ok(admin.get(f"/users/{user['id']}"))["account_id"] == survivor["id"]
