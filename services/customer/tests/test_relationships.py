"""Relationships: hierarchy without cycles, party links, visibility at both ends."""

from __future__ import annotations

import pytest
from crm_contracts.errors import Conflict, NotFound
from crm_contracts.payloads.relationships import RelationshipCreate
from crm_customer import relationships


def link(given, actor, account, related, type_):
    data = RelationshipCreate().load({"related_account_id": related.id, "type": type_})
    return relationships.create(given.uow, actor, account.id, data)[0]


def test_a_cycle_in_the_hierarchy_is_a_conflict(given, admin):
    group, branch, office = given.account(admin), given.account(admin), given.account(admin)
    link(given, admin, group, branch, "branch")       # branch's parent is group
    link(given, admin, office, branch, "parent")      # office's parent is branch

    with pytest.raises(Conflict) as caught:
        link(given, admin, office, group, "subsidiary")  # group would become office's child
    assert "cycle" in caught.value.detail


def test_an_account_has_one_parent_and_is_never_linked_to_itself(given, admin):
    child, first, second = given.account(admin), given.account(admin), given.account(admin)
    link(given, admin, child, first, "parent")

    with pytest.raises(Conflict):
        link(given, admin, child, second, "parent")
    with pytest.raises(Conflict):
        link(given, admin, child, child, "supplier")
    with pytest.raises(Conflict):
        link(given, admin, child, first, "parent")


def test_links_list_both_directions_with_the_other_end_and_are_published(given, admin):
    shipper, broker, supplier = given.account(admin), given.account(admin), given.account(admin)
    link(given, admin, shipper, broker, "customs_broker")
    link(given, admin, supplier, shipper, "consignee")

    items, _ = relationships.list_(given.uow.session, admin, shipper.id, {"limit": 10})

    assert {(i["type"], i["direction"], i["other"]["id"]) for i in items} == {
        ("customs_broker", "outgoing", broker.id), ("consignee", "incoming", supplier.id)}
    assert len(given.events("relationship.created")) == 2


def test_a_link_to_an_account_the_caller_cannot_see_is_absent_and_cannot_be_deleted(given, admin):
    shipper = given.account(admin, region="east")
    agent = given.account(admin, region="west")
    rel = link(given, admin, shipper, agent, "destination_agent")
    east_manager = given.person("sales_manager", region="east")

    items, _ = relationships.list_(given.uow.session, east_manager, shipper.id, {"limit": 10})

    assert items == []
    with pytest.raises(NotFound):
        relationships.delete_(given.uow, east_manager, shipper.id, rel.id)


def test_deleting_a_link_closes_it_and_frees_the_hierarchy(given, admin):
    child, parent, other = given.account(admin), given.account(admin), given.account(admin)
    rel = link(given, admin, child, parent, "parent")

    relationships.delete_(given.uow, admin, child.id, rel.id)

    assert relationships.parent_of(given.uow.session, child.id) is None
    link(given, admin, child, other, "parent")
    assert [e["relationship_id"] for e in given.events("relationship.deleted")] == [rel.id]
