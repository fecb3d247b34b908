"""Segments: AND / OR / NOT over tags and fields, evaluated in the database, owned by their author."""

from __future__ import annotations

import uuid

import pytest
from crm_contracts.errors import Conflict, Forbidden
from crm_contracts.payloads.segments import SegmentCreate
from crm_customer import accounts, credit, segments


def members(given, actor, definition) -> set[str]:
    segment = segments.create(given.uow, actor, SegmentCreate().load({"name": f"s-{uuid.uuid4().hex}",
                                                                      "definition": definition}))
    items, _ = accounts.list_(given.uow.session, actor, {"segment_id": segment.id, "limit": 100})
    return {a.customer_code for a in items}


@pytest.fixture
def book(given, admin):
    given.account(admin, customer_code="VIP-E", tags=["vip"], region="east", tier="A",
                  custom_attributes={"incoterm": "FOB", "lanes": 3})
    given.account(admin, customer_code="VIP-W", tags=["vip", "cold"], region="west", tier="B")
    given.account(admin, customer_code="STD-E", tags=["sea"], region="east", tier="C", business_lines=["air"])
    given.account(admin, customer_code="NOTAG", region="south", tier="B", industry=None)


def test_and_or_not_over_tags_and_fields(given, admin, book):
    assert members(given, admin, {"and": [{"tag": "vip"}, {"field": "region", "op": "eq", "value": "east"}]}) \
        == {"VIP-E"}
    assert members(given, admin, {"or": [{"tag": "cold"}, {"field": "tier", "op": "in", "value": ["C"]}]}) \
        == {"VIP-W", "STD-E"}
    assert members(given, admin, {"not": {"tag": "vip"}}) == {"STD-E", "NOTAG"}


def test_not_counts_a_missing_value_as_not_matching(given, admin, book):
    assert members(given, admin, {"not": {"field": "industry", "op": "eq", "value": "retail"}}) \
        == {"VIP-E", "VIP-W", "STD-E", "NOTAG"}
    assert members(given, admin, {"field": "custom.incoterm", "op": "ne", "value": "FOB"}) \
        == {"VIP-W", "STD-E", "NOTAG"}


def test_custom_attributes_business_lines_times_and_credit_flags(given, admin, finance, book):
    assert members(given, admin, {"field": "custom.lanes", "op": "eq", "value": "3"}) == {"VIP-E"}
    assert members(given, admin, {"field": "business_line", "op": "eq", "value": "air"}) == {"STD-E"}
    assert members(given, admin, {"field": "created_at", "op": "gte", "value": "2000-01-01T00:00:00Z"}) \
        == {"VIP-E", "VIP-W", "STD-E", "NOTAG"}
    [held] = [a for a in accounts.list_(given.uow.session, admin, {"q": "VIP-W"})[0]]
    credit.update(given.uow, finance, held.id, {"credit_hold": True, "hold_reason": "unpaid"})
    assert members(given, admin, {"field": "credit_hold", "op": "eq", "value": True}) == {"VIP-W"}


def test_a_shared_segment_shows_each_caller_only_what_they_may_see(given, admin, book):
    east = given.person("sales_manager", region="east")

    assert members(given, east, {"tag": "vip"}) == {"VIP-E"}


def test_names_are_unique_and_only_the_owner_or_an_admin_changes_a_segment(given, admin):
    author = given.person("marketing")
    segment = segments.create(given.uow, author, SegmentCreate().load({"name": "Key", "definition": {"tag": "k"}}))

    with pytest.raises(Conflict):
        segments.create(given.uow, admin, SegmentCreate().load({"name": "Key", "definition": {"tag": "k"}}))
    with pytest.raises(Forbidden):
        segments.update(given.uow, given.person("sales_rep"), segment.id, {"name": "Mine"})
    segments.update(given.uow, admin, segment.id, {"name": "Key accounts"})
    segments.delete_(given.uow, author, segment.id)

    assert [e["name"] for e in given.events("segment.updated")] == ["Key accounts"]
    assert len(given.events("segment.deleted")) == 1
