"""Contacts: the read model kept from the customer service's contact events (newest version wins, each
event once), and a ticket's contact checked against it: a deleted one or another account's is refused,
one not heard of yet is accepted, a contact alone names its account, and the ticket shows its name."""

import uuid
from types import SimpleNamespace

import pytest
from crm_contracts.errors import ValidationFailed
from crm_contracts.events import AccountMerged, build, parse
from crm_contracts.events.customer import ContactCreated, ContactDeleted, ContactUpdated
from crm_service_desk import accounts, contacts, tickets
from crm_service_desk.models import ContactView


def _event(cls, given, account, **body):
    data = given.contact_event(account, **body)
    data.pop("event_id"), data.pop("occurred_at")
    return parse(cls, build(cls, **data))


def test_contact_events_apply_once_and_the_newest_version_wins(given, service, sessions):
    created = _event(ContactCreated, given, None, name="Li Wei", version=1)
    contact_id, account_id = str(created["contact_id"]), str(created["account_id"])
    account = SimpleNamespace(account_id=account_id)
    renamed = _event(ContactUpdated, given, account, contact_id=contact_id, name="Li Wei (ops)", version=3)
    late = _event(ContactUpdated, given, account, contact_id=contact_id, name="Old name", version=2)

    service.on_contact_updated(renamed)
    service.on_contact_created(created)  # arrives after a newer update
    service.on_contact_updated(late)
    service.on_contact_updated(renamed)  # redelivered

    with sessions() as session:
        row = session.get(ContactView, contact_id)
        assert (row.name, row.version, row.deleted, row.account_id) == ("Li Wei (ops)", 3, False, account_id)
        assert row.phones == [{"number": "+8613800000000", "kind": "mobile"}]
        assert row.emails == ["li@example.com"]

    service.on_contact_deleted(_event(ContactDeleted, given, account, contact_id=contact_id, version=4))

    with sessions() as session:
        assert session.get(ContactView, contact_id).deleted is True


def test_a_deleted_contact_or_another_accounts_is_refused_naming_contact_id(given):
    mine, other = given.account(), given.account()
    theirs = given.contact(other)
    gone = given.contact(mine, deleted=True, version=2)

    for contact in (theirs, gone):
        with pytest.raises(ValidationFailed) as refused:
            given.ticket(account_id=mine.account_id, contact_id=contact.contact_id)
        assert set(refused.value.errors) == {"contact_id"}


def test_a_contact_not_heard_of_yet_is_accepted_and_named_once_its_event_arrives(given, uow):
    account = given.account()
    contact_id = str(uuid.uuid4())

    ticket = given.ticket(account_id=account.account_id, contact_id=contact_id)

    assert (ticket.contact_id, tickets.to_out(ticket)["contact_name"]) == (contact_id, None)
    given.contact(account, contact_id=contact_id, name="Zhang Min")
    assert tickets.to_out(ticket)["contact_name"] == "Zhang Min"


def test_a_contact_alone_names_its_account(given):
    account = given.account(region="south", tier="VIP")
    contact = given.contact(account, name="Chen Jie")

    ticket = given.ticket(contact_id=contact.contact_id)

    assert (ticket.account_id, ticket.region, ticket.tier) == (account.account_id, "south", "VIP")
    assert tickets.to_out(ticket)["contact_name"] == "Chen Jie"


def test_a_customer_may_name_their_own_contacts_only(given):
    mine, other = given.account(), given.account()
    customer = given.customer_of(mine)

    ticket = given.ticket(customer, contact_id=given.contact(mine).contact_id)

    assert ticket.account_id == mine.account_id
    with pytest.raises(ValidationFailed) as refused:
        given.ticket(customer, contact_id=given.contact(other).contact_id)
    assert "contact_id" in refused.value.errors


def test_changing_the_contact_is_checked_and_keeping_a_since_deleted_one_is_not(given, uow, admin):
    mine, other = given.account(), given.account()
    first = given.contact(mine)
    ticket = given.ticket(account_id=mine.account_id, contact_id=first.contact_id)
    given.contact(mine, contact_id=first.contact_id, deleted=True, version=2)

    tickets.update(uow, admin, ticket.id, {"contact_id": first.contact_id, "subject": "Still about it"})
    with pytest.raises(ValidationFailed) as refused:
        tickets.update(uow, admin, ticket.id, {"contact_id": given.contact(other).contact_id})

    assert "contact_id" in refused.value.errors
    assert ticket.contact_id == first.contact_id


def test_a_merged_accounts_contact_serves_the_survivors_tickets(given, uow):
    survivor, duplicate = given.account(), given.account()
    moved = given.contact(duplicate)  # the merge moves contacts without a contact event
    accounts.on_account_merged(uow, parse(AccountMerged, build(
        AccountMerged, survivor_id=survivor.account_id, survivor_code=survivor.customer_code,
        duplicate_id=duplicate.account_id, duplicate_code=duplicate.customer_code, contact_ids=[moved.contact_id])))

    ticket = given.ticket(account_id=survivor.account_id, contact_id=moved.contact_id)

    assert ticket.contact_id == moved.contact_id
    assert contacts.account_of(uow.session, moved) == survivor.account_id


def test_a_page_of_tickets_names_their_contacts(given, uow, admin):
    account = given.account()
    for name in ("Wang Fang", "Liu Yang"):
        given.ticket(account_id=account.account_id, contact_id=given.contact(account, name=name).contact_id)
    given.ticket(account_id=account.account_id)

    page, _ = tickets.list_(uow.session, admin, {"account_id": account.account_id, "limit": 10})

    assert sorted(str(tickets.to_out(t)["contact_name"]) for t in page) == ["Liu Yang", "None", "Wang Fang"]
