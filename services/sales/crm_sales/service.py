"""Sales service entrypoints."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view
from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.errors import EXPECTED
from crm_contracts.events import AccountCreated, AccountUpdated
from nameko.rpc import rpc

from . import summary
from .models import TABLES, AccountView


class SalesService(Operations):
    name = "sales"

    db = Database("sales", TABLES)
    caller = Caller()
    metrics = Metrics()

    @rpc(expected_exceptions=EXPECTED)
    def account_summary(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return summary.account_summary(session, actor, account_id)

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_created")

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_updated")

    def _apply_account(self, event: dict[str, Any], handler: str) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"sales.{handler}"):
                account_view.apply(uow.session, AccountView, event)
