"""The service desk end to end, through the gateway and the bus on real processes: a TMS exception
opens one routed ticket and asks for the customer warning; the customer follows it in the portal
without seeing internal notes; resolution sends a one-use survey; invalid moves are refused; an
unknown customer's exception is kept and linked; a departing agent's tickets move on; contacts reach the
service desk by their events and a ticket names its own account's only; a ticket no group served is
routed once a group that serves it is created."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pika
import pytest
import requests
from crm_contracts.bus import deadletters
from crm_contracts.bus.subscriptions import SUBSCRIPTIONS
from crm_contracts.events import ShipmentBooked, ShipmentException, build
from crm_contracts.testing.waiting import eventually, unique
from crm_contracts.tms.publisher import TmsPublisher

from tests.api import Api

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def admin(system):
    return Api.login(system.gateway_url, "admin", system.admin_password)


def make_user(system, admin: Api, role: str, **fields) -> tuple[dict, Api]:
    username, password = unique(role), "Secret-" + unique("pw")
    created = admin.post("/users", {"username": username, "password": password, "role": role, **fields})
    assert created.status_code == 201, created.text
    return created.json(), Api.login(system.gateway_url, username, password)


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    return response.json()


@pytest.fixture(scope="module")
def desk(system, admin):
    """Two agents in an exceptions group, a VIP account with a portal user, an urgent SLA policy."""
    agents = [make_user(system, admin, "service_agent", region="east", team="desk") for _ in range(2)]
    code = unique("SD").upper()
    account = ok(admin.post("/accounts", {"customer_code": code, "name": f"Desk Freight {code}", "region": "east",
                                          "tier": "VIP"}), 201)
    customer = make_user(system, admin, "customer", account_id=account["id"])
    ok(admin.post("/sla-policies", {"name": unique("urgent"), "priority": "urgent", "first_response_minutes": 30,
                                    "resolution_minutes": 240}), 201)
    members = [{"user_id": user["id"], "capacity": 50} for user, _ in agents]
    # The agents reach the service desk by the gateway's user events: retry until they have.
    group = eventually(lambda: ok(admin.post("/skill-groups", {"name": unique("exceptions"), "members": members,
                                                               "categories": ["exception", "claim"]}), 201),
                       timeout=20)
    return {"agents": agents, "account": account, "customer": customer, "group": group}


@pytest.fixture
def watch(system):
    """Copies of what the service desk publishes to notify, read from a queue of the test's own."""
    connection = pika.BlockingConnection(pika.URLParameters(system.amqp_uri))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    for key in ("customer.alert_requested", "ticket.assigned", "survey.requested"):
        channel.queue_bind(queue, "service_desk.events", routing_key=key)

    def received() -> list[tuple[str, dict]]:
        messages = []
        while (got := channel.basic_get(queue, auto_ack=True))[0] is not None:
            messages.append((got[0].routing_key, json.loads(got[2])))
        return messages

    yield received
    connection.close()


def exception_event(code: str, reference: str, kind: str = "delay") -> dict:
    return build(ShipmentException, customer_code=code, reference=reference, exception_type=kind, severity="high",
                 description=f"{kind} reported by the carrier", occurred_at=datetime.now(UTC))


def test_a_tms_exception_opens_one_routed_ticket_and_the_customer_follows_it(system, admin, desk, watch):
    code, reference = desk["account"]["customer_code"], unique("SHP").upper()
    event = exception_event(code, reference)
    with TmsPublisher(system.amqp_uri) as tms:
        tms.publish(ShipmentBooked, customer_code=code, reference=reference, mode="sea_fcl", origin="CNSHA",
                    destination="DEHAM")
        tms.publish_raw("shipment.exception", event)
        tms.publish_raw("shipment.exception", event)  # delivered twice

    def one_assigned_ticket() -> dict:
        [ticket] = ok(admin.get("/tickets", params={"shipment_reference": reference}))["items"]
        assert ticket["assignee_id"] in {user["id"] for user, _ in desk["agents"]}
        return ticket

    ticket = eventually(one_assigned_ticket, timeout=20)
    assert (ticket["category"], ticket["priority"], ticket["channel"]) == ("exception", "urgent", "system")
    published: dict[str, dict] = {}

    def alert_and_assignment() -> None:
        published.update({key: body for key, body in watch() if body.get("ticket_id") == ticket["id"]})
        assert {"customer.alert_requested", "ticket.assigned"} <= set(published)

    eventually(alert_and_assignment, timeout=10)
    assert published["customer.alert_requested"]["shipment_reference"] == reference

    agent = next(api for user, api in desk["agents"] if user["id"] == ticket["assignee_id"])
    ok(agent.post(f"/tickets/{ticket['id']}/comments", {"body": "Customer is VIP, escalate", "visibility": "internal"}),
       201)
    ok(agent.post(f"/tickets/{ticket['id']}/comments", {"body": "New ETA is Friday."}), 201)
    _, portal = desk["customer"]
    assert [t["id"] for t in ok(portal.get("/portal/tickets"))["items"]] == [ticket["id"]]
    assert reference in [s["reference"] for s in ok(portal.get("/portal/shipments"))["items"]]
    assert [c["body"] for c in ok(portal.get(f"/tickets/{ticket['id']}/comments"))["items"]] == ["New ETA is Friday."]

    assert agent.post(f"/tickets/{ticket['id']}/close", {}).status_code == 409  # not resolved yet
    ok(agent.post(f"/tickets/{ticket['id']}/resolve", {"resolution": "Re-routed via Rotterdam"}))
    token = ok(portal.get(f"/tickets/{ticket['id']}"))["survey_token"]
    public = Api(system.gateway_url)
    assert ok(public.post(f"/surveys/{token}", {"csat": 5, "nps": 10}))["status"] == "answered"
    assert public.post(f"/surveys/{token}", {"csat": 1}).status_code == 409
    assert ok(agent.get(f"/tickets/{ticket['id']}"))["csat"] == 5


def test_an_unknown_customers_exception_is_kept_then_linked_when_the_account_appears(system, admin):
    code, reference = unique("NEW").upper(), unique("SHP").upper()
    with TmsPublisher(system.amqp_uri) as tms:
        tms.publish_raw("shipment.exception", exception_event(code, reference, "customs_hold"))
    [ticket] = eventually(lambda: _nonempty(admin.get("/tickets", params={"shipment_reference": reference})))
    assert ticket["account_id"] is None

    account = ok(admin.post("/accounts", {"customer_code": code, "name": f"Late Co {code}", "region": "east"}), 201)

    linked = eventually(lambda: _linked(admin.get(f"/tickets/{ticket['id']}")))
    assert linked["account_id"] == account["id"]
    assert ok(admin.get(f"/shipments/{reference}"))["account_id"] == account["id"]


def test_a_malformed_exception_is_parked_with_its_reason(system):
    queue = next(s.queue for s in SUBSCRIPTIONS if s.method == "on_shipment_exception")
    reference = unique("BAD").upper()
    with TmsPublisher(system.amqp_uri) as tms:
        tms.publish_raw("shipment.exception", {"event_id": "nope", "reference": reference, "exception_type": "aliens"})

    def parked() -> deadletters.Parked:
        [mine] = [p for p in deadletters.peek(system.amqp_uri, queue, limit=100) if reference in p.body]
        return mine

    assert eventually(parked).reason == "invalid"


def test_a_deactivated_agents_tickets_go_to_their_successor(system, admin, desk):
    (first, _), (second, second_api) = desk["agents"]
    raised = [ok(admin.post("/tickets", {"subject": f"Claim {i}", "description": "Damaged pallet", "category": "claim",
                                         "account_id": desk["account"]["id"]}), 201) for i in range(3)]
    held_by_first = [t["id"] for t in raised if t["assignee_id"] == first["id"]]
    assert held_by_first  # least-loaded routing spreads three tickets over both agents

    ok(admin.patch(f"/users/{first['id']}", {"active": False, "successor_id": second["id"]}))

    def moved() -> None:
        for ticket_id in held_by_first:
            assert ok(admin.get(f"/tickets/{ticket_id}"))["assignee_id"] == second["id"]

    eventually(moved, timeout=15)
    mine = ok(second_api.get("/tickets", params={"assignee_id": "me", "limit": 500}))["items"]
    assert set(held_by_first) <= {t["id"] for t in mine}


def new_account(admin: Api, region: str = "east") -> dict:
    code = unique("CT").upper()
    return ok(admin.post("/accounts", {"customer_code": code, "name": f"Contact Test {code}", "region": region},
                         params={"allow_duplicate": "true"}), 201)


def ticket_body(**fields) -> dict:
    return {"subject": "Please resend the invoice", "description": "The copy we got is unreadable.",
            "category": "billing", **fields}


def test_a_ticket_names_a_contact_of_its_own_account_only(system, admin):
    mine, other = new_account(admin), new_account(admin)
    contact = ok(admin.post(f"/accounts/{mine['id']}/contacts", {"name": "Zhou Lan"}), 201)
    ticket = ok(admin.post("/tickets", ticket_body(account_id=mine["id"], contact_id=contact["id"])), 201)

    # contact.created reaches the service desk: the ticket shows the contact's name from then on.
    def named() -> None:
        assert ok(admin.get(f"/tickets/{ticket['id']}"))["contact_name"] == "Zhou Lan"

    eventually(named, timeout=20)
    theirs = ok(admin.post("/tickets", ticket_body(account_id=other["id"])), 201)
    refused = admin.patch(f"/tickets/{theirs['id']}", {"contact_id": contact["id"]})
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"contact_id"}, refused.text
    by_contact = ok(admin.post("/tickets", ticket_body(contact_id=contact["id"])), 201)
    assert (by_contact["account_id"], by_contact["contact_name"]) == (mine["id"], "Zhou Lan")


def test_a_ticket_no_group_served_is_routed_when_a_group_for_it_appears(system, admin):
    region = unique("rg")
    account = new_account(admin, region=region)

    def known_to_the_desk() -> None:  # so the ticket is raised with the account's region
        assert ok(admin.get(f"/accounts/{account['id']}/360"))["service"] is not None

    eventually(known_to_the_desk, timeout=20)
    ticket = ok(admin.post("/tickets", ticket_body(account_id=account["id"], category="inquiry")), 201)
    assert (ticket["region"], ticket["group_id"]) == (region, None)
    agent, _ = make_user(system, admin, "service_agent", region=region)
    group = eventually(lambda: ok(admin.post("/skill-groups", {
        "name": unique("inquiries"), "categories": ["inquiry"], "regions": [region],
        "members": [{"user_id": agent["id"], "capacity": 5}]}), 201), timeout=20)

    def routed() -> None:  # by the routing timer, within a tick or two
        body = ok(admin.get(f"/tickets/{ticket['id']}"))
        assert (body["group_id"], body["assignee_id"]) == (group["id"], agent["id"])

    eventually(routed, timeout=20)


def _nonempty(response: requests.Response) -> list:
    items = ok(response)["items"]
    assert items
    return items


def _linked(response: requests.Response) -> dict:
    body = ok(response)
    assert body["account_id"] is not None
    return body
