"""Customer service entrypoints: each adapts the bus to the domain in a few lines."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.rpc import rpc, rpc_proxy
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.events import InvoiceIssued, PaymentReceived
from crm_contracts.payloads.accounts import AccountCreate, AccountListQuery, AccountUpdate, HistoryQuery
from crm_contracts.payloads.contacts import ContactCreate, ContactListQuery, ContactUpdate
from crm_contracts.payloads.credit import CreditUpdate, FxRateSet, ReviewIn
from crm_contracts.payloads.duplicates import DuplicateQuery, MergeIn
from crm_contracts.payloads.relationships import RelationshipCreate, RelationshipListQuery
from crm_contracts.payloads.segments import SegmentCreate, SegmentListQuery, SegmentUpdate
from nameko.dependency_providers import Config

from . import (
    accounts,
    contacts,
    credit,
    dedupe,
    fxrates,
    history,
    lookup,
    merge,
    receivables,
    relationships,
    review,
    segments,
    view360,
)
from .access import require
from .models import TABLES

Page = dict[str, Any]


def _page(items: list[Any], cursor: str | None) -> Page:
    return {"items": items, "next_cursor": cursor}


class CustomerService(Operations):
    name = "customer"

    db = Database("customer", TABLES)
    caller = Caller()
    metrics = Metrics()
    config = Config()
    sales = rpc_proxy("sales")
    service_desk = rpc_proxy("service_desk")
    analytics = rpc_proxy("analytics")

    # --- accounts -------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def create_account(self, payload: dict[str, Any], allow_duplicate: bool = False) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(AccountCreate, payload)
        with self.db.transaction() as uow:
            return accounts.to_out(accounts.create(uow, actor, data, allow_duplicate=bool(allow_duplicate)))

    @rpc(expected_exceptions=EXPECTED)
    def get_account(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return accounts.to_out(lookup.get(session, actor, account_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_accounts(self, query: dict[str, Any]) -> Page:
        actor = self.caller.require()
        params = load(AccountListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = accounts.list_(session, actor, params)
            return _page(accounts.page_out(session, items), cursor)

    @rpc(expected_exceptions=EXPECTED)
    def update_account(self, account_id: str, payload: dict[str, Any],
                       expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(AccountUpdate, payload)
        with self.db.transaction() as uow:
            return accounts.to_out(accounts.update(uow, actor, account_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def delete_account(self, account_id: str, expected_version: int | None = None) -> None:
        actor = self.caller.require()
        with self.db.transaction() as uow:
            accounts.delete(uow, actor, account_id, expected_version)

    @rpc(expected_exceptions=EXPECTED)
    def account_history(self, account_id: str, query: dict[str, Any] | None = None) -> Page:
        actor = self.caller.require()
        params = load(HistoryQuery, query or {})
        with self.db.reading() as session:
            return _page(*history.account_history(session, actor, account_id, params["limit"], params["cursor"]))

    @rpc(expected_exceptions=EXPECTED)
    def get_account_360(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        calls = {"sales": self.sales.account_summary, "service": self.service_desk.account_summary,
                 "analytics": self.analytics.get_customer}
        in_flight = view360.start(actor, calls, lookup.canonical_id(account_id))
        with self.db.reading() as session:
            account = lookup.get(session, actor, account_id)
            answer = {"account": accounts.to_out(account), **view360.local(session, actor, account)}
        return view360.finish(answer, in_flight, float(self.config.get("SECTION_TIMEOUT", 2.0)), actor)

    @rpc(expected_exceptions=EXPECTED)
    def account_survivor(self, account_id: str) -> str | None:
        """The live account an id stands for now, for the gateway re-binding portal users after a merge."""
        require(self.caller.require(), ("admin",), "follow accounts through merges")
        with self.db.reading() as session:
            return lookup.survivor_id(session, account_id)

    # --- duplicates, merge, review ----------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def find_duplicates(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(DuplicateQuery, query or {})
        with self.db.reading() as session:
            return {"items": dedupe.find(session, actor, **params)}

    @rpc(expected_exceptions=EXPECTED)
    def merge_accounts(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(MergeIn, payload)
        with self.db.transaction() as uow:
            result = merge.merge(uow, actor, account_id, str(data["duplicate_id"]))
            return {**result, "account": accounts.to_out(result["account"])}

    @rpc(expected_exceptions=EXPECTED)
    def review_account(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ReviewIn, payload)
        with self.db.transaction() as uow:
            return accounts.to_out(review.review(uow, actor, account_id, data["decision"], data["reason"]))

    # --- credit -------------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_credit(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return credit.to_out(session, credit.get(session, actor, account_id)[1])

    @rpc(expected_exceptions=EXPECTED)
    def update_credit(self, account_id: str, payload: dict[str, Any],
                      expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(CreditUpdate, payload)
        with self.db.transaction() as uow:
            return credit.to_out(uow.session, credit.update(uow, actor, account_id, data, expected_version)[1])

    @rpc(expected_exceptions=EXPECTED)
    def list_fx_rates(self) -> dict[str, Any]:
        self.caller.require()
        with self.db.reading() as session:
            return {"items": fxrates.list_(session)}

    @rpc(expected_exceptions=EXPECTED)
    def set_fx_rate(self, currency: str, payload: dict[str, Any], expected_version: int | None = None
                    ) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(FxRateSet, {**(payload or {}), "currency": currency})
        with self.db.transaction() as uow:
            return fxrates.to_out(fxrates.set_rate(uow, actor, data["currency"], data["rate"], expected_version))

    @handles(InvoiceIssued)
    def on_invoice_issued(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "customer.on_invoice_issued"):
                receivables.invoice_issued(uow, event)

    @handles(PaymentReceived)
    def on_payment_received(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "customer.on_payment_received"):
                receivables.payment_received(uow, event)

    # --- contacts -----------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def list_contacts(self, account_id: str, query: dict[str, Any] | None = None) -> Page:
        actor = self.caller.require()
        params = load(ContactListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = contacts.list_(session, actor, account_id, params)
            return _page([contacts.to_out(c, actor) for c in items], cursor)

    @rpc(expected_exceptions=EXPECTED)
    def create_contact(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ContactCreate, payload)
        with self.db.transaction() as uow:
            return contacts.to_out(contacts.create(uow, actor, account_id, data), actor)

    @rpc(expected_exceptions=EXPECTED)
    def get_contact(self, contact_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return contacts.to_out(contacts.get(session, actor, contact_id), actor)

    @rpc(expected_exceptions=EXPECTED)
    def update_contact(self, contact_id: str, payload: dict[str, Any],
                       expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ContactUpdate, payload)
        with self.db.transaction() as uow:
            return contacts.to_out(contacts.update(uow, actor, contact_id, data, expected_version), actor)

    @rpc(expected_exceptions=EXPECTED)
    def delete_contact(self, contact_id: str, expected_version: int | None = None) -> None:
        actor = self.caller.require()
        with self.db.transaction() as uow:
            contacts.delete_(uow, actor, contact_id, expected_version)

    # --- relationships --------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def list_relationships(self, account_id: str, query: dict[str, Any] | None = None) -> Page:
        actor = self.caller.require()
        params = load(RelationshipListQuery, query or {})
        with self.db.reading() as session:
            return _page(*relationships.list_(session, actor, account_id, params))

    @rpc(expected_exceptions=EXPECTED)
    def create_relationship(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(RelationshipCreate, payload)
        with self.db.transaction() as uow:
            link, other = relationships.create(uow, actor, account_id, data)
            return relationships.to_out(link, link.account_id, {other.id: other})

    @rpc(expected_exceptions=EXPECTED)
    def delete_relationship(self, account_id: str, relationship_id: str) -> None:
        actor = self.caller.require()
        with self.db.transaction() as uow:
            relationships.delete_(uow, actor, account_id, relationship_id)

    # --- segments -------------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def list_segments(self, query: dict[str, Any] | None = None) -> Page:
        actor = self.caller.require()
        params = load(SegmentListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = segments.list_(session, actor, params)
            return _page([segments.to_out(s) for s in items], cursor)

    @rpc(expected_exceptions=EXPECTED)
    def create_segment(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(SegmentCreate, payload)
        with self.db.transaction() as uow:
            return segments.to_out(segments.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_segment(self, segment_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return segments.to_out(segments.get(session, actor, segment_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_segment(self, segment_id: str, payload: dict[str, Any],
                       expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(SegmentUpdate, payload)
        with self.db.transaction() as uow:
            return segments.to_out(segments.update(uow, actor, segment_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def delete_segment(self, segment_id: str, expected_version: int | None = None) -> None:
        actor = self.caller.require()
        with self.db.transaction() as uow:
            segments.delete_(uow, actor, segment_id, expected_version)

    @rpc(expected_exceptions=EXPECTED)
    def segment_accounts(self, segment_id: str, query: dict[str, Any] | None = None) -> Page:
        """The accounts a segment matches that the caller may see (notify's campaigns use this too)."""
        actor = self.caller.require()
        params = load(AccountListQuery, {**(query or {}), "segment_id": segment_id})
        with self.db.reading() as session:
            segments.get(session, actor, segment_id)
            items, cursor = accounts.list_(session, actor, params)
            return _page(accounts.page_out(session, items), cursor)
