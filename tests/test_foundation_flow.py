"""The foundation flow, end to end through the gateway and the bus on real processes:
an account created by an admin reaches every service by events; TMS events become shipments;
the 360 view fans out and degrades; visibility and identity are enforced by the services."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import requests
from crm_contracts.errors import Unauthenticated
from crm_contracts.events import ShipmentBooked, ShipmentStatusChanged, build
from crm_contracts.identity import Identity, sign
from crm_contracts.testing.waiting import eventually, unique
from crm_contracts.tms.publisher import TmsPublisher
from nameko.standalone.rpc import ClusterRpcProxy

from tests.api import Api

pytestmark = pytest.mark.system
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def make_user(system, admin: Api, role: str, region: str, team: str) -> tuple[dict, Api]:
    username, password = unique(role), "Secret-" + unique("pw")
    created = admin.post("/users", {"username": username, "password": password, "role": role,
                                    "region": region, "team": team})
    assert created.status_code == 201, created.text
    return created.json(), Api.login(system.gateway_url, username, password)


@pytest.fixture(scope="module")
def east_rep(system, admin):
    return make_user(system, admin, "sales_rep", "east", "t1")


@pytest.fixture(scope="module")
def account(admin, east_rep):
    rep, _ = east_rep
    code = unique("CUST").upper()
    created = admin.post("/accounts", {"customer_code": code, "name": f"Eastern Freight {code}", "region": "east",
                                       "team": "t1", "owner_id": rep["id"], "tier": "A"})
    assert created.status_code == 201, created.text
    return created.json()


def test_an_account_created_by_an_admin_reaches_sales_analytics_and_the_owners_inbox(admin, east_rep, account):
    _, rep_api = east_rep

    figures = eventually(lambda: ok(admin.get(f"/analytics/customers/{account['id']}")))
    inbox = eventually(lambda: nonempty(rep_api.get("/notifications")))
    view = eventually(lambda: with_section(admin.get(f"/accounts/{account['id']}/360"), "sales"))

    assert figures["customer_code"] == account["customer_code"] and figures["shipments_booked"] == 0
    assert any(account["customer_code"] in n["body"] for n in inbox["items"])
    assert view["sales"]["owner_id"] == account["owner_id"] and view["degraded"] == []


def tms_journey(code: str, reference: str) -> list[tuple[type, dict]]:
    booked = (ShipmentBooked, dict(occurred_at=T0, customer_code=code, reference=reference, mode="sea_fcl",
                                   origin="CNSHA", destination="DEHAM"))
    moved = [(ShipmentStatusChanged, dict(occurred_at=T0 + timedelta(hours=i + 1), customer_code=code,
                                          reference=reference, status=status, location=location))
             for i, (status, location) in enumerate([("departed", "CNSHA"), ("in_transit", None),
                                                     ("arrived", "DEHAM")])]
    return [booked, *moved]


@pytest.mark.parametrize("delivery", ["in_order", "out_of_order", "duplicated"])
def test_tms_events_project_the_latest_status_and_milestones_whatever_the_delivery(system, admin, account, delivery):
    reference = unique("SHP").upper()
    messages = [(cls.routing_key, build(cls, **body)) for cls, body in tms_journey(account["customer_code"], reference)]
    sent = {"in_order": messages, "out_of_order": list(reversed(messages)),
            "duplicated": random.Random(7).sample(messages * 2, k=len(messages) * 2)}[delivery]

    with TmsPublisher(system.amqp_uri) as tms:
        for routing_key, body in sent:
            tms.publish_raw(routing_key, body)  # a duplicate is the same message again: same event_id

    def projected():
        shipment = ok(admin.get(f"/shipments/{reference}"))
        assert len(shipment["milestones"]) == 4
        return shipment

    shipment = eventually(projected)
    assert shipment["status"] == "arrived" and shipment["last_location"] == "DEHAM"
    assert shipment["account_id"] == account["id"]
    assert [m["status"] for m in shipment["milestones"]] == ["booked", "departed", "in_transit", "arrived"]


def test_the_360_view_still_answers_with_a_service_down_and_names_the_missing_section(system, admin, account):
    system.stop("sales")
    try:
        view = ok(admin.get(f"/accounts/{account['id']}/360"))
        assert view["account"]["id"] == account["id"]
        assert view["degraded"] == ["sales"] and view["sales"] is None
        assert view["analytics"]["customer_code"] == account["customer_code"]
    finally:
        system.start("sales")


def test_a_rep_of_another_region_cannot_see_the_account(system, admin, account):
    _, south = make_user(system, admin, "sales_rep", "south", "t9")

    assert south.get(f"/accounts/{account['id']}").status_code == 404
    assert account["id"] not in [a["id"] for a in ok(south.get("/accounts"))["items"]]
    assert south.get(f"/accounts/{account['id']}/360").status_code == 404


@pytest.mark.parametrize("token", [None, "forged.token.value", "secret"])
def test_a_call_straight_to_a_service_without_a_valid_identity_is_refused(system, account, token):
    if token == "secret":  # well-formed, signed with a secret the services do not trust
        token = sign(Identity(user_id="x", role="admin"), "not-the-shared-secret-0123456789abcdef")
    context = {"identity": token} if token else {}
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}, context_data=context, timeout=10) as rpc, \
            pytest.raises(Unauthenticated):
        rpc.customer.get_account(account["id"])


def test_a_malformed_tms_event_is_parked_with_its_reason_counted_and_changes_nothing(system, admin, account):
    reference = unique("BAD").upper()
    with TmsPublisher(system.amqp_uri) as tms:
        tms.publish_raw("shipment.status_changed", {"event_id": "not-a-uuid", "customer_code": account["customer_code"],
                                                    "reference": reference, "status": "teleported"})

    def parked() -> float:
        metrics = requests.get(system.health_url("service_desk").replace("/health", "/metrics"), timeout=5).text
        lines = [line for line in metrics.splitlines() if line.startswith("crm_messages_parked_total{")
                 and "shipment.status_changed--service_desk" in line and 'reason="invalid"' in line]
        assert lines
        return float(lines[0].rsplit(" ", 1)[1])

    assert eventually(parked) >= 1
    assert admin.get(f"/shipments/{reference}").status_code == 404


def ok(response: requests.Response) -> dict:
    assert response.status_code == 200, f"{response.status_code} {response.text}"
    return response.json()


def nonempty(response: requests.Response) -> dict:
    body = ok(response)
    assert body["items"]
    return body


def with_section(response: requests.Response, section: str) -> dict:
    body = ok(response)
    assert body[section] is not None
    return body
