"""Rate cards, quotes, contracts and payment milestones."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.rpc import rpc
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.payloads.common import ListQuery
from crm_contracts.payloads.contracts import (
    ContractCreate,
    ContractDecision,
    ContractListQuery,
    MilestoneCreate,
    MilestoneUpdate,
    TemplateCreate,
)
from crm_contracts.payloads.quotes import (
    QuoteCreate,
    QuoteDecision,
    QuoteListQuery,
    QuoteRevise,
    RateCardCreate,
    RateCardListQuery,
    RateCardUpdate,
)

from .. import agreements, payments, quote_flow, quotes, ratecards
from .common import Endpoints, page


class PricingEndpoints(Endpoints):
    @rpc(expected_exceptions=EXPECTED)
    def create_rate_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(RateCardCreate, payload)
        with self.writing() as uow:
            return ratecards.to_out(ratecards.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_rate_card(self, rate_card_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return ratecards.to_out(ratecards.get(session, actor, rate_card_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_rate_cards(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(RateCardListQuery, query)
        with self.db.reading() as session:
            return page(*ratecards.list_(session, actor, params), ratecards.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def update_rate_card(self, rate_card_id: str, payload: dict[str, Any],
                         expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(RateCardUpdate, payload)
        with self.writing() as uow:
            return ratecards.to_out(ratecards.update(uow, actor, rate_card_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def create_quote(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(QuoteCreate, payload)
        with self.writing() as uow:
            return quotes.to_out(quotes.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_quote(self, quote_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return quotes.to_out(quotes.get(session, actor, quote_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_quotes(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(QuoteListQuery, query)
        with self.db.reading() as session:
            return page(*quotes.list_(session, actor, params), quotes.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def revise_quote(self, quote_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(QuoteRevise, payload)
        with self.writing() as uow:
            return quotes.to_out(quotes.revise(uow, actor, quote_id, data))

    @rpc(expected_exceptions=EXPECTED)
    def approve_quote(self, quote_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.writing() as uow:
            return quotes.to_out(quote_flow.approve(uow, actor, quote_id))

    @rpc(expected_exceptions=EXPECTED)
    def send_quote(self, quote_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.writing() as uow:
            return quotes.to_out(quote_flow.send(uow, actor, quote_id))

    @rpc(expected_exceptions=EXPECTED)
    def accept_quote(self, quote_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(QuoteDecision, payload)
        with self.writing() as uow:
            return quotes.to_out(quote_flow.accept(uow, actor, quote_id, data["reason"]))

    @rpc(expected_exceptions=EXPECTED)
    def reject_quote(self, quote_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(QuoteDecision, payload)
        with self.writing() as uow:
            return quotes.to_out(quote_flow.reject(uow, actor, quote_id, data["reason"]))

    @rpc(expected_exceptions=EXPECTED)
    def create_contract_template(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(TemplateCreate, payload)
        with self.writing() as uow:
            return agreements.template_out(agreements.create_template(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def list_contract_templates(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ListQuery, query)
        with self.db.reading() as session:
            return page(*agreements.list_templates(session, actor, params), agreements.template_out)

    @rpc(expected_exceptions=EXPECTED)
    def create_contract(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ContractCreate, payload)
        with self.writing() as uow:
            return agreements.to_out(uow.session, agreements.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_contract(self, contract_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return agreements.to_out(session, agreements.get(session, actor, contract_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_contracts(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ContractListQuery, query)
        with self.db.reading() as session:
            return page(*agreements.list_(session, actor, params), lambda c: agreements.to_out(session, c))

    @rpc(expected_exceptions=EXPECTED)
    def decide_contract(self, contract_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ContractDecision, payload)
        with self.writing() as uow:
            contract = agreements.decide(uow, actor, contract_id, data["approve"], data["reason"])
            return agreements.to_out(uow.session, contract)

    @rpc(expected_exceptions=EXPECTED)
    def list_milestones(self, contract_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            contract = agreements.get(session, actor, contract_id)
            return page(agreements.milestones(session, contract.id), None, agreements.milestone_out)

    @rpc(expected_exceptions=EXPECTED)
    def add_milestone(self, contract_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(MilestoneCreate, payload)
        with self.writing() as uow:
            return agreements.milestone_out(payments.add(uow, actor, contract_id, data))

    @rpc(expected_exceptions=EXPECTED)
    def update_milestone(self, contract_id: str, milestone_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(MilestoneUpdate, payload)
        with self.writing() as uow:
            return agreements.milestone_out(payments.change(uow, actor, contract_id, milestone_id, data))
