"""Entrypoints end to end inside one process: validation, errors and the 360 fan-out."""

from __future__ import annotations

from types import SimpleNamespace

import eventlet
import pytest
from crm_contracts.chassis.caller import CallerAccess
from crm_contracts.chassis.database import DatabaseAccess
from crm_contracts.errors import Conflict, NotFound, ValidationFailed
from crm_contracts.identity import sign
from crm_customer.models import TABLES, Account
from crm_customer.service import CustomerService
from nameko.testing.services import worker_factory
from sqlalchemy import func, select

SECRET = "unit-test-secret"


class Reply:
    def __init__(self, value=None, error=None, delay=0.0):
        self.value, self.error, self.delay = value, error, delay

    def result(self):
        eventlet.sleep(self.delay)
        if self.error:
            raise self.error
        return self.value


def remote(method: str, reply: Reply) -> SimpleNamespace:
    return SimpleNamespace(**{method: SimpleNamespace(call_async=lambda account_id: reply)})


@pytest.fixture
def service(sessions, given):
    def make(actor, **remotes):
        provider = SimpleNamespace(sessions=sessions, tables=TABLES, kick_relay=lambda: None)
        defaults = {"sales": remote("account_summary", Reply({"open_opportunities": []})),
                    "service_desk": remote("account_summary", Reply({"shipments_in_transit": []})),
                    "analytics": remote("get_customer", Reply({"shipments_booked": 3}))}
        return worker_factory(CustomerService, db=DatabaseAccess(provider), caller=CallerAccess(sign(actor, SECRET),
                              SECRET), config={"SECTION_TIMEOUT": 0.2}, **{**defaults, **remotes})
    return make


def test_create_validates_and_answers_the_account_then_refuses_a_duplicate(service, given, sessions):
    admin = given.person("admin", region=None)
    api = service(admin)

    created = api.create_account({"customer_code": "SVC-1", "name": "Service Freight Co., Ltd.", "region": "east"})
    with pytest.raises(Conflict) as caught:
        api.create_account({"customer_code": "SVC-2", "name": "service freight", "region": "east"})

    assert created["status"] == "pending_review" and created["version"] == 1
    assert caught.value.extra["duplicates"][0]["id"] == created["id"]


def test_bad_input_is_a_validation_error_and_stores_nothing(service, given, sessions):
    api = service(given.person("admin", region=None))

    with pytest.raises(ValidationFailed) as caught:
        api.create_account({"customer_code": "BAD-1", "name": "X", "region": "east", "tax_id": "123",
                            "phone": "nope", "email": "nope"})

    assert set(caught.value.errors) == {"tax_id", "phone", "email"}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_the_360_view_degrades_a_failing_and_a_late_section_and_keeps_the_rest(service, given):
    admin = given.person("admin", region=None)
    account = service(admin).create_account({"customer_code": "V-1", "name": "View Co", "region": "east"})
    api = service(admin, sales=remote("account_summary", Reply(error=RuntimeError("down"))),
                  service_desk=remote("account_summary", Reply({"late": True}, delay=2)))

    view = api.get_account_360(account["id"])

    assert view["degraded"] == ["sales", "service"] and view["restricted"] == []
    assert view["analytics"] == {"shipments_booked": 3} and view["account"]["id"] == account["id"]
    assert view["credit"]["receivables"] == {"amount": "0.00", "currency": "CNY"}


def test_the_360_view_restricts_credit_by_role_and_hides_invisible_accounts(service, given):
    admin = given.person("admin", region=None)
    account = service(admin).create_account({"customer_code": "V-2", "name": "Other Co", "region": "west"})

    agent_view = service(given.person("service_agent")).get_account_360(account["id"])

    assert agent_view["credit"] is None and agent_view["restricted"] == ["credit"]
    with pytest.raises(NotFound):
        service(given.person("sales_manager", region="east")).get_account_360(account["id"])
