"""Duplicate control (查重): normalised and near matches, on create and before it."""

from __future__ import annotations

import pytest
from crm_contracts.errors import Conflict
from crm_contracts.payloads.accounts import AccountCreate
from crm_customer import accounts, dedupe


def fields_matched(candidate) -> set[tuple[str, str]]:
    return {(m["field"], m["how"]) for m in candidate["matched_on"]}


@pytest.mark.parametrize("spelling", ["ACME Logistics Inc.", "acme  logistics, co., ltd",
                                      "ＡＣＭＥ　Ｌｏｇｉｓｔｉｃｓ", "Acme-Logistics GmbH"])
def test_names_match_across_case_width_punctuation_and_legal_suffixes(given, admin, spelling):
    existing = given.account(admin, name="Acme Logistics Co., Ltd.")

    [candidate] = dedupe.find(given.uow.session, admin, name=spelling)

    assert candidate["id"] == existing.id and ("name", "exact") in fields_matched(candidate)


def test_chinese_legal_suffixes_are_ignored_and_near_names_are_similar(given, admin):
    exact = given.account(admin, name="上海远洋物流有限公司")
    near = given.account(admin, name="上海远洋国际物流股份有限公司")
    given.account(admin, name="北京快运")

    found = {c["id"]: c for c in dedupe.find(given.uow.session, admin, name="上海远洋物流")}

    assert set(found) == {exact.id, near.id}
    assert fields_matched(found[exact.id]) == {("name", "exact")}
    [similar] = found[near.id]["matched_on"]
    assert similar["how"] == "similar" and 0.85 <= similar["score"] < 1


def test_a_typo_in_a_name_is_a_near_match(given, admin):
    existing = given.account(admin, name="Oceanic Freight Forwarding Ltd")

    [candidate] = dedupe.find(given.uow.session, admin, name="Oceanic Frieght Forwarding")

    assert candidate["id"] == existing.id and candidate["matched_on"][0]["how"] == "similar"


def test_phone_email_and_tax_code_match_the_account_and_its_contacts(given, admin):
    tax = given.tax_id(7)
    account = given.account(admin, phone="+86 21 6888 8888", email="Ops@Acme.example", tax_id=tax)
    given.contact(admin, account, phones=[{"number": "13800138000"}], emails=["li.lei@acme.example"])

    [by_all] = dedupe.find(given.uow.session, admin, phone="021-68888888", email="ops@acme.example", tax_id=tax)
    [by_contact] = dedupe.find(given.uow.session, admin, phone="+8613800138000", email="LI.LEI@acme.example")

    assert fields_matched(by_all) == {("phone", "exact"), ("email", "exact"), ("tax_id", "exact")}
    assert by_all["matched_on"][0]["field"] == "tax_id"  # the strongest reason first
    assert fields_matched(by_contact) == {("contact_phone", "exact"), ("contact_email", "exact")}
    assert by_contact["id"] == account.id


def test_creating_a_likely_duplicate_answers_conflict_with_candidates_and_history(given, admin, uow):
    existing = given.account(admin, name="Blue Whale Shipping Co., Ltd.")
    payload = AccountCreate().load({"customer_code": "BW-2", "name": "BLUE WHALE SHIPPING", "region": "east"})

    with pytest.raises(Conflict) as caught:
        accounts.create(uow, admin, dict(payload))

    [candidate] = caught.value.extra["duplicates"]
    assert candidate["id"] == existing.id and candidate["history"][0]["action"] == "created"
    assert accounts.create(uow, admin, dict(payload), allow_duplicate=True).customer_code == "BW-2"


def test_a_candidate_outside_the_callers_scope_is_named_without_details(given, admin):
    given.account(admin, name="Hidden Cargo Ltd", region="west")
    rep = given.person("sales_rep", region="east")

    [candidate] = dedupe.find(given.uow.session, rep, name="Hidden Cargo")

    assert candidate == {"visible": False, "matched_on": [{"field": "name", "how": "exact", "score": 1.0}]}


def test_merged_and_deleted_accounts_are_not_candidates(given, admin):
    gone = given.account(admin, name="Gone Freight")
    accounts.delete(given.uow, admin, gone.id)

    assert dedupe.find(given.uow.session, admin, name="Gone Freight") == []
