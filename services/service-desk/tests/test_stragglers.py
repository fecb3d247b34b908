"""A shipment or ticket written while its account's event was being applied misses the link (each
transaction blind to the other's uncommitted row); the timer's second look links it."""

import uuid
from datetime import UTC, datetime, timedelta

from crm_contracts.chassis import account_view
from crm_service_desk import accounts
from crm_service_desk.models import AccountView, Shipment, Ticket


def test_the_timer_links_what_missed_a_recently_synced_account_and_leaves_older_accounts_alone(uow, given):
    now = datetime.now(UTC)
    account = given.account(code="STRAY-1", tier="VIP", region="south")
    old = given.account(code="STRAY-OLD")
    old.synced_at = now - timedelta(hours=1)
    # Written as if the account's event had not been seen: no account on either.
    uow.session.add(Shipment(reference="STRAY-SHP", customer_code="STRAY-1", account_id=None, open_exceptions=0,
                             updated_at=now))
    uow.session.add(Shipment(reference="STRAY-OLD-SHP", customer_code="STRAY-OLD", account_id=None,
                             open_exceptions=0, updated_at=now))
    ticket = given.ticket(subject="Damaged carton")
    ticket.customer_code = "STRAY-1"
    uow.session.flush()

    linked = accounts.link_stragglers(uow, now)
    again = accounts.link_stragglers(uow, now)

    assert (linked, again) == (1, 0)
    assert uow.session.get(Shipment, "STRAY-SHP").account_id == account.account_id
    assert uow.session.get(Shipment, "STRAY-OLD-SHP").account_id is None  # outside the window
    fresh = uow.session.get(Ticket, ticket.id)
    assert (fresh.account_id, fresh.region, fresh.tier) == (account.account_id, "south", "VIP")


def test_a_merged_account_is_not_looked_at_again(uow, given):
    now = datetime.now(UTC)
    survivor = given.account(code="STRAY-S")
    duplicate = given.account(code="STRAY-D")
    account_view.mark_merged(uow.session, AccountView, {
        "duplicate_id": duplicate.account_id, "survivor_id": survivor.account_id, "duplicate_code": "STRAY-D",
        "occurred_at": now, "event_id": uuid.uuid4()})
    uow.session.add(Shipment(reference="STRAY-D-SHP", customer_code="STRAY-D", account_id=None, open_exceptions=0,
                             updated_at=now))
    uow.session.flush()

    assert accounts.link_stragglers(uow, now) == 0
    assert uow.session.get(Shipment, "STRAY-D-SHP").account_id is None  # the merge's to move, not the timer's
