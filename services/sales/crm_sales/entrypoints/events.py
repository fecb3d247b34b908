"""What sales hears from other services, and its timers. Every handler claims the event id first
(a redelivery changes nothing); every timer is safe to run in several instances at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from crm_contracts import config
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.handlers import handles
from crm_contracts.events import (
    AccountCreated,
    AccountMerged,
    AccountUpdated,
    CreditLimitExceeded,
    CreditLimitRestored,
    UserCreated,
    UserDeactivated,
    UserUpdated,
)
from crm_contracts.events.customer import ContactCreated, ContactDeleted, ContactUpdated, CreditUpdated
from nameko.timer import timer

from .. import activities, conversion, directory, imports, merging, payments, pool, quote_flow
from .common import Endpoints

log = logging.getLogger(__name__)


class EventEndpoints(Endpoints):
    def _apply(self, event: dict[str, Any], handler: str, apply: Callable[[UnitOfWork], Any]) -> None:
        """Apply ``event`` once: the inbox claim and the effect commit together."""
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], f"sales.{handler}"):
                apply(uow)

    @handles(AccountCreated)
    def on_account_created(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_account_created", lambda uow: directory.apply_account(uow.session, event))

    @handles(AccountUpdated)
    def on_account_updated(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_account_updated", lambda uow: directory.apply_account(uow.session, event))

    @handles(AccountMerged)
    def on_account_merged(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_account_merged", lambda uow: merging.on_account_merged(uow, event))

    @handles(ContactCreated)
    def on_contact_created(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_contact_created", lambda uow: directory.apply_contact(uow.session, event))

    @handles(ContactUpdated)
    def on_contact_updated(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_contact_updated", lambda uow: directory.apply_contact(uow.session, event))

    @handles(ContactDeleted)
    def on_contact_deleted(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_contact_deleted", lambda uow: directory.apply_contact(uow.session, event, deleted=True))

    @handles(CreditUpdated)
    def on_credit_updated(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_credit_updated", lambda uow: directory.apply_credit(uow.session, event))

    @handles(CreditLimitExceeded)
    def on_credit_limit_exceeded(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_credit_limit_exceeded", lambda uow: directory.apply_credit(uow.session, event))

    @handles(CreditLimitRestored)
    def on_credit_limit_restored(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_credit_limit_restored", lambda uow: directory.apply_credit(uow.session, event))

    @handles(UserCreated)
    def on_user_created(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_user_created", lambda uow: directory.apply_user(uow.session, event))

    @handles(UserUpdated)
    def on_user_updated(self, event: dict[str, Any]) -> None:
        self._apply(event, "on_user_updated", lambda uow: directory.apply_user(uow.session, event))

    @handles(UserDeactivated)
    def on_user_deactivated(self, event: dict[str, Any]) -> None:
        with self.db.transaction() as uow:
            if uow.claim(event["event_id"], "sales.on_user_deactivated"):
                directory.apply_user(uow.session, event, active=False)
                pool.on_user_deactivated(uow, event)

    @timer(interval=60)
    def sweep_pool(self) -> None:
        with self.writing() as uow:
            counts = pool.sweep(uow)
        if any(counts.values()):
            log.info("pool sweep: %s", counts)

    @timer(interval=config.timer_seconds("SALES_REMINDERS", 60))
    def send_reminders(self) -> None:
        with self.writing() as uow:
            counts = {**activities.remind(uow), **{f"milestone_{k}": v for k, v in payments.remind(uow).items()}}
        if any(counts.values()):
            log.info("reminders: %s", counts)

    @timer(interval=300)
    def expire_quotes(self) -> None:
        with self.writing() as uow:
            expired = quote_flow.expire_due(uow)
        if expired:
            log.info("expired %s quote(s)", expired)

    @timer(interval=120)
    def tidy_up(self) -> None:
        with self.writing() as uow:
            released = conversion.abandon_stale(uow)
            recovered = imports.recover(uow.session)
        if released or any(recovered.values()):
            log.info("tidy-up: %s conversion hold(s) released, imports %s", released, recovered)
