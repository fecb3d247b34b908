"""Contacts: logistics roles, E.164 phones, channels and opt-outs, PII by role, audit and events."""

from __future__ import annotations

import pytest
from crm_contracts.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from crm_contracts.payloads.contacts import ContactUpdate
from crm_customer import contacts


def test_a_contact_keeps_roles_e164_phones_channels_and_is_published(given, admin):
    account = given.account(admin)

    person = given.contact(admin, account, roles=["customs", "shipping"], birthday="1985-06-01",
                           phones=[{"number": "138 0013 8000", "kind": "mobile"}], emails=["Li@Acme.example"],
                           im_handle={"network": "wechat", "handle": "lilei85"}, preferred_channel="wechat",
                           opt_outs=["sms"], interests=["golf"])

    out = contacts.to_out(person, admin)
    assert out["phones"] == [{"number": "+8613800138000", "kind": "mobile"}] and out["emails"] == ["li@acme.example"]
    assert (out["birthday"], out["redacted"], out["version"]) == ("1985-06-01", [], 1)
    [event] = given.events("contact.created")
    assert event["account_id"] == account.id and event["phones"][0]["number"] == "+8613800138000"


def test_personal_fields_are_hidden_from_roles_that_may_not_see_them(given, admin):
    person = given.contact(admin, given.account(admin), phones=[{"number": "+8613800138000"}], birthday="1990-01-02")

    out = contacts.to_out(person, given.person("marketing"))

    assert (out["phones"], out["birthday"], out["emails"]) == ([], None, [])
    assert out["redacted"] == ["phones", "birthday"] and out["name"] == "Li Lei"


def test_one_primary_contact_per_account(given, admin):
    account = given.account(admin)
    first = given.contact(admin, account, is_primary=True)

    second = given.contact(admin, account, name="Han Meimei", is_primary=True)

    assert (first.is_primary, second.is_primary) == (False, True)


def test_roles_filter_and_search_the_account_contacts(given, admin):
    account = given.account(admin)
    given.contact(admin, account, name="Customs Chen", roles=["customs"])
    given.contact(admin, account, name="Finance Fang", roles=["finance_ap"])

    by_role, _ = contacts.list_(given.uow.session, admin, account.id, {"role": "customs"})
    by_name, _ = contacts.list_(given.uow.session, admin, account.id, {"q": "fang"})

    assert [c.name for c in by_role] == ["Customs Chen"] and [c.name for c in by_name] == ["Finance Fang"]


def test_an_update_that_opts_out_of_the_preferred_channel_is_refused(given, admin):
    person = given.contact(admin, given.account(admin), preferred_channel="email")

    with pytest.raises(ValidationFailed) as caught:
        contacts.update(given.uow, admin, person.id, ContactUpdate().load({"opt_outs": ["email"]}))
    assert "preferred_channel" in caught.value.errors


def test_updates_check_the_version_and_deleted_contacts_are_gone(given, admin):
    person = given.contact(admin, given.account(admin))

    with pytest.raises(PreconditionFailed):
        contacts.update(given.uow, admin, person.id, {"title": "Boss"}, expected_version=9)
    contacts.update(given.uow, admin, person.id, {"title": "Boss"}, expected_version=1)
    contacts.delete_(given.uow, admin, person.id)

    with pytest.raises(NotFound):
        contacts.get(given.uow.session, admin, person.id)
    assert [e["changed"] for e in given.events("contact.updated")] == [["title"]]
    assert len(given.events("contact.deleted")) == 1


def test_contacts_follow_their_accounts_visibility_and_service_roles_only_read(given, admin):
    person = given.contact(admin, given.account(admin, region="west"))

    with pytest.raises(NotFound):
        contacts.get(given.uow.session, given.person("sales_rep", region="east"), person.id)
    agent = given.person("service_agent")
    assert contacts.get(given.uow.session, agent, person.id) is person
    with pytest.raises(Forbidden):
        contacts.update(given.uow, agent, person.id, {"title": "x"})
