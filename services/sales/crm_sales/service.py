"""The sales service: its dependencies and the entrypoint mixins, one per capability."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.rpc import rpc, rpc_proxy
from crm_contracts.errors import EXPECTED
from nameko.dependency_providers import Config

from . import summary
from .entrypoints.activities import ActivityEndpoints
from .entrypoints.events import EventEndpoints
from .entrypoints.leads import LeadEndpoints
from .entrypoints.pipeline import PipelineEndpoints
from .entrypoints.pricing import PricingEndpoints
from .models import TABLES
from .runner import ImportRunner


class SalesService(LeadEndpoints, PipelineEndpoints, PricingEndpoints, ActivityEndpoints, EventEndpoints,
                   Operations):
    name = "sales"

    db = Database("sales", TABLES)
    caller = Caller()
    metrics = Metrics()
    config = Config()
    customer = rpc_proxy("customer")
    imports_runner = ImportRunner()

    @rpc(expected_exceptions=EXPECTED)
    def account_summary(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return summary.account_summary(session, actor, account_id)
