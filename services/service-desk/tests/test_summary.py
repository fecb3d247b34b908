"""The service section of the 360 view: shipments in transit with their last milestone, the open tickets
most urgent first with their count, and satisfaction (CSAT average and NPS) from answered surveys."""

import uuid
from datetime import UTC, datetime, timedelta

from crm_contracts.events import AccountCreated, ShipmentBooked, ShipmentStatusChanged, build, parse
from crm_contracts.identity import Identity
from crm_service_desk.models import TABLES
from sqlalchemy import select

ADMIN = Identity(user_id=str(uuid.uuid4()), role="admin", username="admin")
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _event(cls, **body):
    return parse(cls, build(cls, **body))


def _tokens(sessions) -> list[str]:
    from crm_contracts import jsonio

    with sessions() as session:
        rows = session.execute(select(TABLES.outbox.c.body).where(TABLES.outbox.c.routing_key == "survey.requested")
                               .order_by(TABLES.outbox.c.id)).all()
    return [jsonio.loads(row[0])["token"] for row in rows]


def test_the_summary_lists_shipments_in_transit_with_their_latest_milestone(service):
    account = _event(AccountCreated, account_id=str(uuid.uuid4()), customer_code="SUM-1", name="Sum Co",
                     status="active", tier="B", region="east", version=1)
    service.on_account_created(account)
    service.caller.require.return_value = ADMIN
    for reference in ("SUM-A", "SUM-B", "SUM-DONE"):
        service.on_shipment_booked(_event(ShipmentBooked, customer_code="SUM-1", reference=reference, mode="air",
                                          origin="CNSZX", destination="USLAX", occurred_at=T0))
    # Out of order: the later milestone arrives first and stays the latest.
    service.on_shipment_status_changed(_event(ShipmentStatusChanged, customer_code="SUM-1", reference="SUM-A",
                                              status="arrived", location="USLAX", occurred_at=T0 + timedelta(hours=9)))
    service.on_shipment_status_changed(_event(ShipmentStatusChanged, customer_code="SUM-1", reference="SUM-A",
                                              status="departed", location="CNSZX", occurred_at=T0 + timedelta(hours=2)))
    service.on_shipment_status_changed(_event(ShipmentStatusChanged, customer_code="SUM-1", reference="SUM-DONE",
                                              status="delivered", occurred_at=T0 + timedelta(hours=1)))

    summary = service.account_summary(str(account["account_id"]))

    by_reference = {s["reference"]: s for s in summary["shipments_in_transit"]}
    assert set(by_reference) == {"SUM-A", "SUM-B"}  # delivered shipments are no longer in transit
    latest = by_reference["SUM-A"]
    assert (latest["last_milestone"]["status"], latest["status"]) == ("arrived", "arrived")
    assert by_reference["SUM-B"]["last_milestone"]["kind"] == "booked"


def test_the_summary_counts_open_tickets_and_scores_satisfaction(service, sessions):
    account_id = str(uuid.uuid4())
    service.on_account_created(_event(AccountCreated, account_id=account_id, customer_code="SUM-2", name="Sum 2",
                                      status="active", tier="B", region="east", version=1))
    service.caller.require.return_value = ADMIN

    def ticket(subject: str, priority: str) -> dict:
        return service.create_ticket({"subject": subject, "description": "-", "category": "tracking",
                                      "priority": priority, "account_id": account_id})

    low, urgent = ticket("Copy of the POD", "low"), ticket("Container missing", "urgent")
    scored = [ticket(f"Answered {i}", "normal") for i in range(4)]
    for answered in scored:
        service.resolve_ticket(answered["id"], {"resolution": "Done."})
    for token, (csat, nps) in zip(_tokens(sessions), [(5, 10), (4, 9), (3, 5), (2, None)], strict=True):
        service.answer_survey(token, {"csat": csat, "nps": nps})

    summary = service.account_summary(account_id)

    assert summary["open_tickets"] == 2
    assert [t["id"] for t in summary["recent_open_tickets"]] == [urgent["id"], low["id"]]
    # Three NPS answers: two promoters, one detractor -> (2 - 1) / 3 = 33; CSAT over all four.
    assert summary["satisfaction"] == {"surveys_answered": 4, "csat_average": 3.5, "nps": 33}
