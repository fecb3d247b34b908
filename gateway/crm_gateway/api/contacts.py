"""Contacts of a customer: one route, one call to the customer service (which hides PII by role)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.contacts import ContactCreate, ContactListQuery, ContactOut, ContactPage, ContactUpdate

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("contacts", __name__, description="Contacts (客户联系人)")
CONTACT = "/contacts/<uuid:contact_id>"


@blp.operation("GET", "/accounts/<uuid:account_id>/contacts", query=ContactListQuery, response=ContactPage)
def list_contacts(rpc: Any, account_id: UUID, query: dict[str, Any]) -> Any:
    """The account's contacts, `?role=` filters by logistics role; PII is blanked for roles without access."""
    return rpc.customer.list_contacts(str(account_id), query)


@blp.operation("POST", "/accounts/<uuid:account_id>/contacts", body=ContactCreate, response=ContactOut,
               status=201, etag=True, extra_responses=(422,))
def create_contact(rpc: Any, account_id: UUID, body: dict[str, Any]) -> Any:
    """Add a contact; phones are stored as E.164."""
    return rpc.customer.create_contact(str(account_id), body)


@blp.operation("GET", CONTACT, response=ContactOut, etag=True)
def get_contact(rpc: Any, contact_id: UUID) -> Any:
    """One contact."""
    return rpc.customer.get_contact(str(contact_id))


@blp.operation("PATCH", CONTACT, body=ContactUpdate, response=ContactOut, etag=True, extra_responses=(422,))
def update_contact(rpc: Any, contact_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a contact; a stale If-Match answers 412."""
    return rpc.customer.update_contact(str(contact_id), body, expected_version=expected_version)


@blp.operation("DELETE", CONTACT, status=204)
def delete_contact(rpc: Any, contact_id: UUID, expected_version: int | None) -> Any:
    """Remove a contact (its history stays in the account's audit trail)."""
    return rpc.customer.delete_contact(str(contact_id), expected_version=expected_version)
