"""Service desk entrypoints: each adapts the bus to the domain in a few lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from crm_contracts.chassis.caller import Caller
from crm_contracts.chassis.database import Database, UnitOfWork
from crm_contracts.chassis.handlers import handles
from crm_contracts.chassis.metrics import Metrics
from crm_contracts.chassis.ops import Operations
from crm_contracts.chassis.rpc import rpc
from crm_contracts.chassis.types import utcnow
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.events import (
    AccountCreated,
    AccountMerged,
    AccountUpdated,
    ShipmentBooked,
    ShipmentException,
    ShipmentStatusChanged,
    UserCreated,
    UserDeactivated,
    UserUpdated,
)
from crm_contracts.events.customer import ContactCreated, ContactDeleted, ContactUpdated
from crm_contracts.payloads import kb as kb_payloads
from crm_contracts.payloads import service_config as cfg
from crm_contracts.payloads import tickets as p
from crm_contracts.payloads.common import ListQuery
from crm_contracts.payloads.shipments import ShipmentListQuery
from crm_contracts.payloads.surveys import SurveyAnswer
from nameko.dependency_providers import Config
from nameko.timer import timer

from . import (
    accounts,
    agents,
    comments,
    contacts,
    escalation,
    kb,
    lifecycle,
    proactive,
    routing,
    shipments,
    skill_groups,
    sla,
    summary,
    surveys,
    tickets,
)
from .models import TABLES

SLA_TICK_SECONDS = 5


def _page(items: list[Any], cursor: str | None, out: Any) -> dict[str, Any]:
    return {"items": [out(item) for item in items], "next_cursor": cursor}


class ServiceDeskService(Operations):
    name = "service_desk"

    db = Database("service_desk", TABLES)
    caller = Caller()
    metrics = Metrics()
    config = Config()

    def _days(self, key: str, default: int) -> timedelta:
        return timedelta(days=float(self.config.get(key) or default))

    # --- tickets ----------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def create_ticket(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.TicketCreate, payload)
        with self.db.transaction() as uow:
            return tickets.to_out(tickets.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_ticket(self, ticket_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return tickets.out_for(session, actor, tickets.get(session, actor, ticket_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_tickets(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(p.TicketListQuery, query or {})
        with self.db.reading() as session:
            return _page(*tickets.list_(session, actor, params), tickets.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def update_ticket(self, ticket_id: str, payload: dict[str, Any],
                      expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.TicketUpdate, payload)
        with self.db.transaction() as uow:
            return tickets.to_out(tickets.update(uow, actor, ticket_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def add_comment(self, ticket_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.CommentCreate, payload)
        with self.db.transaction() as uow:
            return comments.to_out(comments.add(uow, actor, ticket_id, data))

    @rpc(expected_exceptions=EXPECTED)
    def list_comments(self, ticket_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ListQuery, query or {})
        with self.db.reading() as session:
            return _page(*comments.list_(session, actor, ticket_id, params), comments.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def assign_ticket(self, ticket_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.AssignTicket, payload)
        with self.db.transaction() as uow:
            return tickets.to_out(lifecycle.assign(uow, actor, ticket_id, data["assignee_id"], data["group_id"]))

    @rpc(expected_exceptions=EXPECTED)
    def resolve_ticket(self, ticket_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.ResolveTicket, payload)
        with self.db.transaction() as uow:
            ticket = lifecycle.resolve(uow, actor, ticket_id, data, self._days("SURVEY_TTL_DAYS", 14))
            return tickets.to_out(ticket)

    @rpc(expected_exceptions=EXPECTED)
    def close_ticket(self, ticket_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.CloseTicket, payload or {})
        with self.db.transaction() as uow:
            return tickets.to_out(lifecycle.close(uow, actor, ticket_id, data["note"]))

    @rpc(expected_exceptions=EXPECTED)
    def reopen_ticket(self, ticket_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(p.ReopenTicket, payload)
        with self.db.transaction() as uow:
            ticket = lifecycle.reopen(uow, actor, ticket_id, data["reason"], self._days("REOPEN_WINDOW_DAYS", 7))
            return tickets.out_for(uow.session, actor, ticket)

    @rpc(expected_exceptions=EXPECTED)
    def ticket_history(self, ticket_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return {"items": tickets.history(session, actor, ticket_id)}

    @rpc(expected_exceptions=EXPECTED)
    def ticket_suggestions(self, ticket_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            ticket = tickets.get(session, actor, ticket_id)
            return {"items": [kb.to_out(a, score) for a, score in kb.suggest(session, actor, ticket)]}

    # --- configuration: SLA policies and skill groups ----------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def create_sla_policy(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(cfg.SlaPolicyCreate, payload)
        with self.db.transaction() as uow:
            return sla.to_out(sla.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_sla_policy(self, policy_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return sla.to_out(sla.get(session, actor, policy_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_sla_policies(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(cfg.ConfigListQuery, query or {})
        with self.db.reading() as session:
            return _page(*sla.list_(session, actor, params), sla.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def update_sla_policy(self, policy_id: str, payload: dict[str, Any],
                          expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(cfg.SlaPolicyUpdate, payload)
        with self.db.transaction() as uow:
            return sla.to_out(sla.update(uow, actor, policy_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def create_skill_group(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(cfg.SkillGroupCreate, payload)
        with self.db.transaction() as uow:
            return skill_groups.to_out(uow.session, skill_groups.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_skill_group(self, group_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return skill_groups.to_out(session, skill_groups.get(session, actor, group_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_skill_groups(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(cfg.ConfigListQuery, query or {})
        with self.db.reading() as session:
            return _page(*skill_groups.list_(session, actor, params), lambda g: skill_groups.to_out(session, g))

    @rpc(expected_exceptions=EXPECTED)
    def update_skill_group(self, group_id: str, payload: dict[str, Any],
                           expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(cfg.SkillGroupUpdate, payload)
        with self.db.transaction() as uow:
            return skill_groups.to_out(uow.session, skill_groups.update(uow, actor, group_id, data, expected_version))

    # --- knowledge base ---------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def create_article(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(kb_payloads.ArticleCreate, payload)
        with self.db.transaction() as uow:
            return kb.to_out(kb.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_article(self, article_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return kb.to_out(kb.get(session, actor, article_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_articles(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(kb_payloads.ArticleListQuery, query or {})
        with self.db.reading() as session:
            return _page(*kb.list_(session, actor, params), lambda pair: kb.to_out(*pair))

    @rpc(expected_exceptions=EXPECTED)
    def update_article(self, article_id: str, payload: dict[str, Any],
                       expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(kb_payloads.ArticleUpdate, payload)
        with self.db.transaction() as uow:
            return kb.to_out(kb.update(uow, actor, article_id, data, expected_version))

    # --- surveys: public, the token is the credential ----------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_survey(self, token: str) -> dict[str, Any]:
        with self.db.reading() as session:
            return surveys.get(session, token)

    @rpc(expected_exceptions=EXPECTED)
    def answer_survey(self, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        data = load(SurveyAnswer, payload)
        with self.db.transaction() as uow:
            return surveys.answer(uow, token, data)

    # --- shipments and the 360 section --------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_shipment(self, reference: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return shipments.get(session, actor, reference)

    @rpc(expected_exceptions=EXPECTED)
    def list_shipments(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ShipmentListQuery, query or {})
        with self.db.reading() as session:
            return _page(*shipments.list_(session, actor, params), shipments.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def account_summary(self, account_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return summary.account_summary(session, actor, account_id)

    # --- events ------------------------------------------------------------------------------------

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_created")

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        self._apply_account(event, "on_account_updated")

    @handles(AccountMerged)
    def on_account_merged(self, event: dict[str, Any]) -> None:
        self._once(event, "on_account_merged", lambda uow: accounts.on_account_merged(uow, event))

    @handles(ContactCreated)
    def on_contact_created(self, event: dict[str, Any]) -> None:
        self._once(event, "on_contact_created", lambda uow: contacts.apply(uow.session, event))

    @handles(ContactUpdated)
    def on_contact_updated(self, event: dict[str, Any]) -> None:
        self._once(event, "on_contact_updated", lambda uow: contacts.apply(uow.session, event))

    @handles(ContactDeleted)
    def on_contact_deleted(self, event: dict[str, Any]) -> None:
        self._once(event, "on_contact_deleted", lambda uow: contacts.apply(uow.session, event, deleted=True))

    # The shipment folds claim the event id themselves (in the same statement on PostgreSQL).
    @handles(ShipmentBooked)
    def on_shipment_booked(self, event: dict[str, Any]) -> None:
        with self.db.statements() as connection:
            shipments.booked(connection, event, "service_desk.on_shipment_booked")

    @handles(ShipmentStatusChanged)
    def on_shipment_status_changed(self, event: dict[str, Any]) -> None:
        with self.db.statements() as connection:
            shipments.status_changed(connection, event, "service_desk.on_shipment_status_changed")

    @handles(ShipmentException)
    def on_shipment_exception(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            shipment = shipments.exception(uow, event, "service_desk.on_shipment_exception")
            if shipment is not None:
                proactive.on_exception(uow, event, shipment)

    @handles(UserCreated)
    def on_user_created(self, event: dict[str, Any]) -> None:
        self._apply_user(event, "on_user_created")

    @handles(UserUpdated)
    def on_user_updated(self, event: dict[str, Any]) -> None:
        self._apply_user(event, "on_user_updated")

    @handles(UserDeactivated)
    def on_user_deactivated(self, event: dict[str, Any]) -> None:
        self._apply_user(event, "on_user_deactivated", deactivated=True)

    def _apply_account(self, event: dict[str, Any], handler: str) -> None:
        self._once(event, handler, lambda uow: accounts.on_account_changed(uow, event))

    def _apply_user(self, event: dict[str, Any], handler: str, deactivated: bool = False) -> None:
        self._once(event, handler, lambda uow: agents.apply(uow, event, deactivated=deactivated))

    def _once(self, event: dict[str, Any], handler: str, apply: Callable[[UnitOfWork], Any]) -> None:
        """Apply ``event`` once: the inbox claim and its effect commit together, so a redelivery does nothing."""
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"service_desk.{handler}"):
                apply(uow)

    # --- timers: safe in every instance at once ------------------------------------------------------

    @timer(interval=SLA_TICK_SECONDS)
    def sla_tick(self) -> None:
        with self.db.transaction() as uow:
            escalation.tick(uow, utcnow())
        with self.db.transaction() as uow:
            routing.dispatch_queued(uow)
        with self.db.transaction() as uow:
            routing.route_groupless(uow)
        with self.db.transaction() as uow:
            accounts.link_stragglers(uow, utcnow())
