"""Merging a duplicate into a survivor: what moves, what the duplicate answers afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_contracts.errors import Conflict, Forbidden, NotFound
from crm_contracts.payloads.relationships import RelationshipCreate
from crm_customer import accounts, contacts, credit, history, lookup, merge, receivables, relationships
from crm_customer.models import AUDIT
from sqlalchemy import select


def link(given, actor, account, related, type_):
    data = RelationshipCreate().load({"related_account_id": related.id, "type": type_})
    return relationships.create(given.uow, actor, account.id, data)[0]


def invoice(given, code, number, amount):
    receivables.invoice_issued(given.uow, {
        "event_id": number, "occurred_at": datetime.now(UTC), "customer_code": code, "invoice_number": number,
        "amount": {"amount": Decimal(amount), "currency": "CNY"}, "issued_on": date(2025, 1, 1),
        "due_on": date(2025, 2, 1)})


def test_merge_moves_contacts_links_tags_and_receivables_and_retires_the_duplicate(given, admin):
    survivor = given.account(admin, name="Acme Logistics", tags=["vip"], phone=None)
    duplicate = given.account(admin, name="ACME Logistics Ltd", tags=["sea"], phone="+8613800138000",
                              custom_attributes={"incoterm": "FOB"})
    person = given.contact(admin, duplicate)
    broker = given.account(admin, name="Broker One")
    moved_link = link(given, admin, duplicate, broker, "customs_broker")
    invoice(given, duplicate.customer_code, "INV-1", "100.00")

    result = merge.merge(given.uow, admin, survivor.id, duplicate.id)

    assert result["moved"] == {"contacts": 1, "relationships": 1, "invoices": 1, "payments": 0}
    assert person.account_id == survivor.id and moved_link.account_id == survivor.id
    assert sorted(survivor.tags) == ["sea", "vip"] and survivor.phone == "+8613800138000"
    assert survivor.custom_attributes == {"incoterm": "FOB"}
    assert credit.get(given.uow.session, admin, survivor.id)[1].receivables == Decimal("100.00")
    [event] = given.events("account.merged")
    assert (event["survivor_id"], event["duplicate_id"], event["contact_ids"]) == (
        survivor.id, duplicate.id, [person.id])


def test_the_duplicate_answers_not_found_naming_the_survivor_and_its_code_resolves_to_it(given, admin):
    survivor, duplicate = given.account(admin), given.account(admin)
    merge.merge(given.uow, admin, survivor.id, duplicate.id)

    with pytest.raises(NotFound) as caught:
        lookup.get(given.uow.session, admin, duplicate.id)
    assert caught.value.extra["merged_into"] == survivor.id
    assert lookup.by_code(given.uow.session, duplicate.customer_code) is survivor
    items, _ = accounts.list_(given.uow.session, admin, {"customer_code": duplicate.customer_code})
    assert [a.id for a in items] == [survivor.id]


def test_editing_a_merged_account_answers_not_found(given, admin):
    survivor, duplicate = given.account(admin), given.account(admin)
    merge.merge(given.uow, admin, survivor.id, duplicate.id)

    with pytest.raises(NotFound):
        accounts.update(given.uow, admin, duplicate.id, {"tier": "A"})
    with pytest.raises(NotFound):
        contacts.create(given.uow, admin, duplicate.id, {"name": "X"})


def test_merging_into_itself_or_into_a_merged_account_is_a_conflict(given, admin):
    survivor, duplicate, third = given.account(admin), given.account(admin), given.account(admin)

    with pytest.raises(Conflict):
        merge.merge(given.uow, admin, survivor.id, survivor.id)
    merge.merge(given.uow, admin, survivor.id, duplicate.id)
    with pytest.raises(Conflict):
        merge.merge(given.uow, admin, duplicate.id, third.id)
    with pytest.raises(Conflict):
        merge.merge(given.uow, admin, third.id, duplicate.id)


def test_a_chain_of_merges_resolves_old_codes_to_the_last_survivor(given, admin):
    a, b, c = given.account(admin), given.account(admin), given.account(admin)

    merge.merge(given.uow, admin, b.id, a.id)
    merge.merge(given.uow, admin, c.id, b.id)

    assert lookup.by_code(given.uow.session, a.customer_code) is c and a.merged_into_id == c.id
    # what the gateway asks when it re-binds the portal users of a merged account
    assert [lookup.survivor_id(given.uow.session, x.id) for x in (a, b, c)] == [c.id, c.id, c.id]
    assert lookup.survivor_id(given.uow.session, "not-an-id") is None


def test_links_that_would_repeat_point_at_the_survivor_or_break_the_hierarchy_are_closed(given, admin):
    survivor, duplicate = given.account(admin), given.account(admin)
    parent_a, parent_b, broker = given.account(admin), given.account(admin), given.account(admin)
    link(given, admin, survivor, parent_a, "parent")
    second_parent = link(given, admin, duplicate, parent_b, "parent")
    link(given, admin, survivor, broker, "customs_broker")
    repeat = link(given, admin, duplicate, broker, "customs_broker")
    self_link = link(given, admin, duplicate, survivor, "supplier")

    result = merge.merge(given.uow, admin, survivor.id, duplicate.id)

    assert sorted(result["dropped_relationships"]) == sorted([second_parent.id, repeat.id, self_link.id])
    assert relationships.parent_of(given.uow.session, survivor.id) == parent_a.id
    closed = given.uow.session.scalars(select(AUDIT.c.entity_id).where(AUDIT.c.action == "closed_on_merge")).all()
    assert sorted(closed) == sorted(result["dropped_relationships"])
    [merged] = [e for e in history.account_history(given.uow.session, admin, survivor.id)[0]
                if e["action"] == "merged"]
    assert sorted(merged["changes"]["closed_relationships"]["new"]) == sorted(closed)


def test_only_admins_and_sales_managers_merge_and_the_audit_trail_keeps_the_merge(given, admin, rep):
    survivor = given.account(admin, owner_id=rep.user_id, team="t1")
    duplicate = given.account(admin, owner_id=rep.user_id, team="t1")

    with pytest.raises(Forbidden):
        merge.merge(given.uow, rep, survivor.id, duplicate.id)
    merge.merge(given.uow, given.person("sales_manager"), survivor.id, duplicate.id)

    entries = history.account_history(given.uow.session, admin, survivor.id)[0]
    assert entries[0]["action"] == "merged" and entries[0]["changes"]["merged_from"]["new"] == duplicate.id
