"""Bad input is refused with a 422 naming the field, before anything is stored."""

from __future__ import annotations

import pytest
from crm_contracts.chassis.validation import load
from crm_contracts.errors import ValidationFailed
from crm_contracts.payloads.accounts import AccountCreate, AccountUpdate
from crm_contracts.payloads.contacts import ContactCreate
from crm_contracts.payloads.credit import CreditUpdate, ReviewIn
from crm_contracts.payloads.duplicates import DuplicateQuery
from crm_contracts.payloads.fields import uscc_check_char
from crm_contracts.payloads.segments import SegmentCreate

BASE = {"customer_code": "ACME-1", "name": "Acme Logistics Co., Ltd.", "region": "east"}


def errors_of(schema, payload) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        load(schema, payload)
    return caught.value.errors


@pytest.mark.parametrize("tax_id", ["12345", "91310000MA1FL0000X", "913100000000000000", "中文税号"])
def test_an_invalid_tax_code_is_refused_naming_the_field(tax_id):
    assert "tax_id" in errors_of(AccountCreate, {**BASE, "tax_id": tax_id})


def test_a_valid_unified_social_credit_code_is_stored_compact_and_upper_case():
    code = "91310000MA1FL8TQ0" + uscc_check_char("91310000MA1FL8TQ0")

    data = load(AccountCreate, {**BASE, "tax_id": f" {code[:9].lower()} {code[9:]} "})

    assert data["tax_id"] == code


def test_a_vat_number_is_accepted():
    assert load(AccountCreate, {**BASE, "tax_id": "DE123456789"})["tax_id"] == "DE123456789"


@pytest.mark.parametrize("phone", ["12", "call me", "+86 138"])
def test_an_invalid_phone_is_refused_naming_the_field(phone):
    assert "phone" in errors_of(AccountCreate, {**BASE, "phone": phone})


def test_phones_are_stored_as_e164_and_loading_them_again_keeps_them():
    first = load(AccountCreate, {**BASE, "phone": "138 0013 8000"})

    again = load(AccountCreate, {**BASE, "phone": first["phone"]})

    assert first["phone"] == again["phone"] == "+8613800138000"


def test_an_invalid_email_is_refused_and_a_valid_one_is_lower_cased():
    assert "email" in errors_of(AccountUpdate, {"email": "not-an-email"})
    assert load(AccountUpdate, {"email": " Ops@ACME.example "})["email"] == "ops@acme.example"


def test_a_contact_phone_and_email_are_checked_inside_their_lists():
    errors = errors_of(ContactCreate, {"name": "Li", "phones": [{"number": "+8613800138000"}, {"number": "x"}],
                                       "emails": ["li@acme.example", "nope"]})

    assert errors["phones"] == {1: {"number": ["Not a valid phone number; use e.g. +86 138 0013 8000."]}}
    assert 1 in errors["emails"]


def test_oversized_custom_attributes_are_refused():
    too_many = {f"k{i}": i for i in range(51)}
    too_big = {"notes": "x" * 9000}

    assert "custom_attributes" in errors_of(AccountCreate, {**BASE, "custom_attributes": too_many})
    assert "custom_attributes" in errors_of(AccountUpdate, {"custom_attributes": too_big})


def test_unknown_fields_and_service_only_statuses_are_refused():
    assert "surprise" in errors_of(AccountCreate, {**BASE, "surprise": 1})
    assert "status" in errors_of(AccountUpdate, {"status": "merged"})


def test_a_preferred_channel_that_is_opted_out_is_refused():
    errors = errors_of(ContactCreate, {"name": "Li", "preferred_channel": "sms", "opt_outs": ["sms"]})

    assert "preferred_channel" in errors


def test_a_rejection_needs_a_reason_and_a_hold_needs_one_too():
    assert "reason" in errors_of(ReviewIn, {"decision": "reject"})
    assert "hold_reason" in errors_of(CreditUpdate, {"credit_hold": True})
    assert load(ReviewIn, {"decision": "approve"})["reason"] is None


def test_a_negative_credit_limit_or_bad_currency_is_refused():
    errors = errors_of(CreditUpdate, {"credit_limit": {"amount": "-1", "currency": "cny"}})

    assert set(errors["credit_limit"]) == {"amount", "currency"}


def test_a_duplicate_check_needs_something_to_compare():
    assert "_schema" in errors_of(DuplicateQuery, {})


@pytest.mark.parametrize(("definition", "path"), [
    ({"and": []}, "_schema"),
    ({"field": "colour", "op": "eq", "value": "red"}, "field"),
    ({"field": "tier", "op": "eq", "value": "Z"}, "value"),
    ({"field": "created_at", "op": "gte", "value": "yesterday"}, "value"),
    ({"or": [{"tag": "vip"}, {"field": "region", "op": "between", "value": "x"}]}, "or.1.op"),
    ({"not": {"tag": ""}}, "not"),
    ({"and": [{"tag": "a"}], "or": [{"tag": "b"}]}, "_schema"),
])
def test_a_malformed_segment_definition_names_the_broken_condition(definition, path):
    errors = errors_of(SegmentCreate, {"name": "s", "definition": definition})

    assert path in errors["definition"]


def test_a_deeply_nested_segment_is_refused():
    node: dict = {"tag": "x"}
    for _ in range(10):
        node = {"not": node}

    assert "_schema" in errors_of(SegmentCreate, {"name": "s", "definition": node})["definition"]
