"""Accounts: create, read, list, update, delete — with visibility, status rules, audit and events."""

from __future__ import annotations

import pytest
from crm_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from crm_contracts.payloads.accounts import AccountListQuery, AccountUpdate
from crm_customer import accounts, lookup
from crm_customer.models import AUDIT
from sqlalchemy import select


def listed(uow, actor, **query) -> list[str]:
    items, _ = accounts.list_(uow.session, actor, AccountListQuery().load(query))
    return [a.customer_code for a in items]


def test_a_new_account_waits_for_review_and_is_published_and_audited(given, rep):
    account = given.account(rep, customer_code="ACME-1", name="Acme Logistics Co., Ltd.", tags=["vip", "sea"],
                            business_lines=["sea_fcl", "air"])

    [event] = given.events("account.created")
    assert account.status == "pending_review" and account.version == 1
    assert (event["account_id"], event["status"], event["tags"]) == (account.id, "pending_review", ["sea", "vip"])
    [entry] = given.uow.session.execute(select(AUDIT).where(AUDIT.c.entity_id == account.id)).mappings()
    assert entry["action"] == "created" and entry["changes"]["name"] == {"old": None,
                                                                         "new": "Acme Logistics Co., Ltd."}
    assert accounts.to_out(account)["business_lines"] == ["air", "sea_fcl"]


def test_a_rep_creates_accounts_they_own_in_their_region_and_team(given, rep):
    account = given.account(rep, region="west", owner_id="someone-else")

    assert (account.region, account.owner_id, account.team) == ("east", rep.user_id, "t1")


def test_a_manager_cannot_create_outside_their_region_and_service_roles_cannot_create(given, manager):
    with pytest.raises(Forbidden):
        given.account(manager, region="west")
    with pytest.raises(Forbidden):
        given.account(given.person("service_agent"))


def test_a_used_customer_code_is_a_conflict(given, admin):
    given.account(admin, customer_code="DUP-1")

    with pytest.raises(Conflict) as caught:
        given.account(admin, customer_code="DUP-1")
    assert "customer_code" in caught.value.extra["errors"]


def test_visibility_rep_sees_own_and_team_in_region_manager_their_region_portal_their_account(given, admin):
    mine = given.person("sales_rep", team="t1")
    teammate = given.person("sales_rep", team="t1")
    stranger = given.person("sales_rep", team="t9")
    own = given.account(admin, owner_id=mine.user_id, team="t1", region="east")
    team = given.account(admin, owner_id=teammate.user_id, team="t1", region="east")
    other_team = given.account(admin, owner_id=stranger.user_id, team="t9", region="east")
    west = given.account(admin, owner_id=mine.user_id, team="t1", region="west")
    portal = given.person("customer", region=None, team=None, account_id=team.id)

    assert set(listed(given.uow, mine)) == {own.customer_code, team.customer_code}
    assert set(listed(given.uow, given.person("sales_manager", region="west"))) == {west.customer_code}
    assert listed(given.uow, portal) == [team.customer_code]
    assert len(listed(given.uow, given.person("service_agent"))) == 4
    with pytest.raises(NotFound):
        lookup.get(given.uow.session, mine, other_team.id)
    with pytest.raises(NotFound):
        lookup.get(given.uow.session, portal, own.id)


def test_lists_filter_by_fields_tags_and_business_lines_search_and_sort(given, admin):
    given.account(admin, customer_code="B-1", name="Blue Freight", tier="A", tags=["vip"], business_lines=["air"])
    given.account(admin, customer_code="A-1", name="上海远洋物流有限公司", tier="B", tags=["vip", "cold"])
    given.account(admin, customer_code="C-1", name="Cargo Masters", tier="A", business_lines=["rail"])

    assert listed(given.uow, admin, tag="vip", sort="customer_code") == ["A-1", "B-1"]
    assert listed(given.uow, admin, tier="A", sort="-name") == ["C-1", "B-1"]
    assert listed(given.uow, admin, business_line="air") == ["B-1"]
    assert listed(given.uow, admin, q="远洋物流") == ["A-1"]
    assert listed(given.uow, admin, q="C-") == ["C-1"]
    assert listed(given.uow, admin, q="blue freight ltd") == ["B-1"]


def test_lists_page_with_a_cursor_without_repeats(given, admin):
    codes = [given.account(admin, customer_code=f"P-{i}").customer_code for i in range(5)]
    seen, cursor = [], None
    while True:
        items, cursor = accounts.list_(given.uow.session, admin, {"limit": 2, "sort": "customer_code",
                                                                  "cursor": cursor})
        seen += [a.customer_code for a in items]
        if cursor is None:
            break

    assert seen == sorted(codes)


def test_an_update_is_audited_field_by_field_and_published(given, admin):
    account = given.account(admin, tier="C", tags=["a"])

    accounts.update(given.uow, admin, account.id, AccountUpdate().load({"tier": "VIP", "tags": ["a", "b"]}))

    [event] = given.events("account.updated")
    assert (event["tier"], event["changed"], event["version"]) == ("VIP", ["tags", "tier"], 2)
    entry = given.uow.session.execute(select(AUDIT).where(AUDIT.c.entity_id == account.id,
                                                          AUDIT.c.action == "updated")).mappings().one()
    assert entry["changes"] == {"tier": {"old": "C", "new": "VIP"}, "tags": {"old": ["a"], "new": ["a", "b"]}}


def test_an_update_with_a_stale_version_is_refused_and_changes_nothing(given, admin):
    account = given.account(admin, tier="C")

    with pytest.raises(PreconditionFailed):
        accounts.update(given.uow, admin, account.id, {"tier": "A"}, expected_version=7)
    assert account.tier == "C" and given.events("account.updated") == []


def test_status_moves_follow_the_lifecycle_and_activation_needs_a_review(given, admin):
    account = given.account(admin)

    with pytest.raises(Conflict) as caught:
        accounts.update(given.uow, admin, account.id, {"status": "active"})
    assert "review" in caught.value.detail
    accounts.update(given.uow, admin, account.id, {"status": "prospect"})
    assert account.status == "prospect"


def test_a_rep_cannot_reassign_and_a_denied_write_changes_nothing(given, admin, rep):
    account = given.account(admin, owner_id=rep.user_id, team="t1", tier="C")

    with pytest.raises(Forbidden):
        accounts.update(given.uow, rep, account.id, {"owner_id": "other", "tier": "A"})
    with pytest.raises(Forbidden):
        accounts.update(given.uow, given.person("finance"), account.id, {"tier": "A"})
    assert (account.owner_id, account.tier) == (rep.user_id, "C")


def test_only_an_admin_deletes_and_a_deleted_account_is_gone(given, admin, manager):
    account = given.account(admin)

    with pytest.raises(Forbidden):
        accounts.delete(given.uow, manager, account.id)
    accounts.delete(given.uow, admin, account.id)

    with pytest.raises(NotFound):
        lookup.get(given.uow.session, admin, account.id)
    assert account.customer_code not in listed(given.uow, admin)
    assert given.events("account.updated")[-1]["status"] == "deleted"
