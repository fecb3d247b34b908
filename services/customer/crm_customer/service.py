"""Customer service entrypoints: each adapts the bus to the domain in a few lines."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.payloads.accounts import AccountCreate, AccountListQuery, AccountUpdate
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc

from . import accounts, view360
from .models import TABLES


class CustomerService(Operations):
    name = "customer"

    db = Database("customer", TABLES)
    caller = Caller()
    metrics = Metrics()
    config = Config()
    sales = RpcProxy("sales")
    service_desk = RpcProxy("service_desk")
    analytics = RpcProxy("analytics")

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
            return accounts.to_out(accounts.get(session, actor, account_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_accounts(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(AccountListQuery, query or {})
        with self.db.reading() as session:
            items, cursor = accounts.list_(session, actor, params)
            return {"items": [accounts.to_out(a) for a in items], "next_cursor": cursor}

    @rpc(expected_exceptions=EXPECTED)
    def update_account(self, account_id: str, payload: dict[str, Any],
                       expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(AccountUpdate, payload)
        with self.db.transaction() as uow:
            return accounts.to_out(accounts.update(uow, actor, account_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def get_account_360(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            account = accounts.to_out(accounts.get(session, actor, account_id))
        sections = {
            "sales": lambda: self.sales.account_summary.call_async(account_id),
            "service": lambda: self.service_desk.account_summary.call_async(account_id),
            "analytics": lambda: self.analytics.get_customer.call_async(account_id),
        }
        return view360.assemble(account, sections, float(self.config.get("SECTION_TIMEOUT", 2.0)))
