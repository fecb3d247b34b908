"""An account's history: its own changes and those of its contacts, relationships and credit."""

from __future__ import annotations

from crm_contracts.payloads.relationships import RelationshipCreate
from crm_customer import accounts, contacts, credit, history, relationships


def test_history_collects_account_contact_relationship_and_credit_changes_newest_first(given, admin, finance):
    account = given.account(admin, tier="C")
    person = given.contact(admin, account, phones=[{"number": "+8613800138000"}])
    relationships.create(given.uow, admin, account.id, RelationshipCreate().load(
        {"related_account_id": given.account(admin).id, "type": "supplier"}))
    credit.update(given.uow, finance, account.id, {"payment_terms_days": 60})
    contacts.update(given.uow, admin, person.id, {"title": "Manager"})
    accounts.update(given.uow, admin, account.id, {"tier": "A"})

    entries, _ = history.account_history(given.uow.session, admin, account.id)

    assert [(e["entity"], e["action"]) for e in entries] == [
        ("account", "updated"), ("contact", "updated"), ("credit", "updated"), ("relationship", "created"),
        ("contact", "created"), ("account", "created")]
    assert entries[0]["changes"] == {"tier": {"old": "C", "new": "A"}}
    assert entries[2]["actor_id"] == finance.user_id


def test_history_hides_credit_and_masks_personal_values_by_role(given, admin, finance):
    account = given.account(admin)
    given.contact(admin, account, phones=[{"number": "+8613800138000"}])
    credit.update(given.uow, finance, account.id, {"payment_terms_days": 60})

    entries, _ = history.account_history(given.uow.session, given.person("marketing"), account.id)

    assert "credit" not in {e["entity"] for e in entries}
    [contact_entry] = [e for e in entries if e["entity"] == "contact"]
    assert contact_entry["changes"]["phones"] == {"old": "***", "new": "***"}


def test_history_pages_with_a_cursor(given, admin):
    account = given.account(admin)
    for tier in ("A", "B", "C"):
        accounts.update(given.uow, admin, account.id, {"tier": tier})

    first, cursor = history.account_history(given.uow.session, admin, account.id, limit=2)
    rest, end = history.account_history(given.uow.session, admin, account.id, limit=2, cursor=cursor)

    assert len(first) == 2 and len(rest) == 2 and end is None
    assert rest[-1]["action"] == "created"
