"""Leads, the pool, conversion, imports and the sales rules."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.rpc import rpc
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.payloads.lead_imports import ImportChunk, ImportListQuery, ImportRowQuery, ImportStart
from crm_contracts.payloads.leads import (
    LeadConvert,
    LeadCreate,
    LeadExportQuery,
    LeadListQuery,
    LeadRelease,
    LeadTransfer,
    LeadUpdate,
    PoolListQuery,
)
from crm_contracts.payloads.sales_settings import SalesSettings

from .. import conversion, exporting, imports, leads, pool, settings
from ..remote import CustomerRpc
from .common import Endpoints, page


class LeadEndpoints(Endpoints):
    def _lead_out(self, session: Any, lead: Any) -> dict[str, Any]:
        return leads.to_out(lead, settings.section(session, "pool")["release_after_days"])

    @rpc(expected_exceptions=EXPECTED)
    def create_lead(self, payload: dict[str, Any], allow_duplicate: bool = False) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(LeadCreate, payload)
        with self.writing() as uow:
            return self._lead_out(uow.session, leads.create(uow, actor, data, bool(allow_duplicate)))

    @rpc(expected_exceptions=EXPECTED)
    def get_lead(self, lead_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return self._lead_out(session, leads.get(session, actor, lead_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_leads(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(LeadListQuery, query)
        with self.db.reading() as session:
            days = settings.section(session, "pool")["release_after_days"]
            return page(*leads.list_(session, actor, params), lambda lead: leads.to_out(lead, days))

    @rpc(expected_exceptions=EXPECTED)
    def export_leads(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(LeadExportQuery, query)
        with self.db.reading() as session:
            return exporting.leads_csv(session, actor, params)

    @rpc(expected_exceptions=EXPECTED)
    def update_lead(self, lead_id: str, payload: dict[str, Any],
                    expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(LeadUpdate, payload)
        with self.writing() as uow:
            return self._lead_out(uow.session, leads.update(uow, actor, lead_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def lead_history(self, lead_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return {"items": leads.history(session, actor, lead_id), "next_cursor": None}

    @rpc(expected_exceptions=EXPECTED)
    def list_pool(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(PoolListQuery, query)
        with self.db.reading() as session:
            return page(*pool.list_pool(session, actor, params), leads.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def claim_lead(self, lead_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.writing() as uow:
            return self._lead_out(uow.session, pool.claim(uow, actor, lead_id))

    @rpc(expected_exceptions=EXPECTED)
    def release_lead(self, lead_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(LeadRelease, payload)
        with self.writing() as uow:
            return self._lead_out(uow.session, pool.release(uow, actor, lead_id, data["reason"]))

    @rpc(expected_exceptions=EXPECTED)
    def transfer_leads(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(LeadTransfer, payload)
        with self.writing() as uow:
            return pool.transfer(uow, actor, data)

    @rpc(expected_exceptions=EXPECTED)
    def convert_lead(self, lead_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(LeadConvert, payload)
        customer = CustomerRpc(self.customer, float(self.config.get("CUSTOMER_RPC_TIMEOUT", 5.0)))
        return conversion.convert(self.writing, customer, actor, lead_id, data)

    @rpc(expected_exceptions=EXPECTED)
    def start_import(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ImportStart, payload)
        with self.writing() as uow:
            return imports.to_out(imports.begin(uow.session, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def add_import_chunk(self, import_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ImportChunk, payload)
        with self.writing() as uow:
            return imports.to_out(imports.add_chunk(uow.session, actor, import_id, data["seq"], data["data"],
                                                    data["compressed"]))

    @rpc(expected_exceptions=EXPECTED)
    def finish_import(self, import_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.writing() as uow:
            job = imports.to_out(imports.finish_upload(uow.session, actor, import_id))
        self.imports_runner.kick()
        return job

    @rpc(expected_exceptions=EXPECTED)
    def get_import(self, import_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return imports.to_out(imports.get(session, actor, import_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_imports(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ImportListQuery, query)
        with self.db.reading() as session:
            return page(*imports.list_(session, actor, params), imports.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def list_import_rows(self, import_id: str, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ImportRowQuery, query)
        with self.db.reading() as session:
            return page(*imports.rows(session, actor, import_id, params), imports.row_out)

    @rpc(expected_exceptions=EXPECTED)
    def get_sales_settings(self) -> dict[str, Any]:
        self.caller.require()
        with self.db.reading() as session:
            return settings.dump(settings.current(session))

    @rpc(expected_exceptions=EXPECTED)
    def update_sales_settings(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(SalesSettings, payload)
        with self.writing() as uow:
            return settings.update(uow, actor, data)
