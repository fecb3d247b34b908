"""``account.merged`` through the real entrypoints: the account read model marks the duplicate merged
once, alerts for the duplicate's id reach the survivor's owner, and a late snapshot of the duplicate
neither brings it back nor tells anyone it is theirs."""

import uuid

import pytest
from crm_contracts.chassis import audit
from crm_contracts.events import AccountUpdated, build, parse
from crm_contracts.events.service_desk import CustomerAlertRequested
from crm_contracts.testing.accounts import MERGER, id_of
from crm_contracts.testing.accounts import account_event as account
from crm_contracts.testing.accounts import merged_event as merged
from crm_notify.models import AUDIT, AccountView, Notification
from sqlalchemy import select


def alert(account_event: dict) -> dict:
    """An alert the service desk raised for the account, naming the owner it knew."""
    return parse(CustomerAlertRequested, build(
        CustomerAlertRequested, account_id=account_event["account_id"], customer_code=account_event["customer_code"],
        account_name=account_event["name"], owner_id=account_event["owner_id"], ticket_id=uuid.uuid4(),
        shipment_reference="SHP-9", exception_type="delay", severity="medium", description="Vessel delayed"))


def inbox_of(sessions, user_id: str) -> list[Notification]:
    with sessions() as session:
        return session.scalars(select(Notification).where(Notification.user_id == user_id)).all()


@pytest.fixture
def pair(service):
    survivor, duplicate = account("A-CORP"), account("B-CORP")
    service.on_account_created(survivor)
    service.on_account_created(duplicate)
    return survivor, duplicate


def test_the_duplicate_is_marked_merged_once_and_its_alerts_reach_the_survivors_owner(service, sessions, pair):
    survivor, duplicate = pair
    event = merged(survivor, duplicate)

    service.on_account_merged(event)
    service.on_account_merged(event)  # delivered twice
    service.on_customer_alert_requested(alert(duplicate))

    with sessions() as session:
        row = session.get(AccountView, id_of(duplicate))
        assert (row.status, row.merged_into) == ("merged", id_of(survivor))
        [trail] = audit.history(session, AUDIT, entity="account", entity_id=id_of(duplicate))
    assert (trail["action"], trail["actor_id"]) == ("merged_into", MERGER.user_id)
    [note] = [n for n in inbox_of(sessions, survivor["owner_id"]) if n.kind == "customer.alert"]
    assert note.body.startswith("A-CORP Logistics")
    assert [n.kind for n in inbox_of(sessions, duplicate["owner_id"])] == ["account.assigned"]


def test_alerts_for_live_accounts_still_go_to_the_owner_the_service_desk_named(service, sessions, pair):
    survivor, _ = pair

    service.on_customer_alert_requested(alert(survivor))

    assert [n.kind for n in inbox_of(sessions, survivor["owner_id"])] == ["account.assigned", "customer.alert"]


def test_the_owner_follows_account_updates(service, sessions, pair):
    survivor, duplicate = pair
    new_owner = str(uuid.uuid4())
    service.on_account_updated(account("A-CORP", event=AccountUpdated, version=2, account_id=id_of(survivor),
                                       owner_id=new_owner))

    service.on_account_merged(merged(survivor, duplicate))
    service.on_customer_alert_requested(alert(duplicate))

    assert [n.kind for n in inbox_of(sessions, new_owner)] == ["customer.alert"]


def test_a_snapshot_of_the_duplicate_arriving_after_the_merge_does_not_bring_it_back(service, sessions):
    survivor, duplicate = account("A-LATE"), account("B-LATE")
    service.on_account_created(survivor)

    service.on_account_merged(merged(survivor, duplicate))
    service.on_account_created(duplicate)  # its snapshots were still on the way
    service.on_account_updated(account("B-LATE", event=AccountUpdated, version=2, account_id=id_of(duplicate),
                                       owner_id=duplicate["owner_id"]))

    with sessions() as session:
        row = session.get(AccountView, id_of(duplicate))
        assert (row.status, row.merged_into, row.version) == ("merged", id_of(survivor), 2)
    assert inbox_of(sessions, duplicate["owner_id"]) == []  # nobody takes on an account merged away
