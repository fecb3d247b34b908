"""Surveys: one use per token; reused → 409, expired → 410; results land on the ticket and the bus."""

from datetime import timedelta

import pytest
from crm_contracts.errors import Conflict, Gone, NotFound
from crm_service_desk import lifecycle, surveys
from crm_service_desk.models import Survey


@pytest.fixture
def token(given, uow, admin):
    ticket = given.ticket(account_id=given.account().account_id, category="tracking")
    lifecycle.resolve(uow, admin, ticket.id, {"resolution": "Delivered."}, timedelta(days=14))
    return given.events("survey.requested")[0]["token"]


def test_an_answer_lands_on_the_ticket_and_on_the_bus(given, uow, token):
    answer = surveys.answer(uow, token, {"csat": 5, "nps": 9, "comment": "Fast!"})

    assert answer["status"] == "answered"
    ticket_id = uow.session.get(Survey, token).ticket_id
    [event] = given.events("survey.answered")
    assert (event["ticket_id"], event["csat"], event["nps"], event["category"]) == (ticket_id, 5, 9, "tracking")


def test_a_token_answers_once(uow, token):
    surveys.answer(uow, token, {"csat": 4, "nps": None, "comment": None})

    with pytest.raises(Conflict):
        surveys.answer(uow, token, {"csat": 1, "nps": 0, "comment": "changed my mind"})
    assert uow.session.get(Survey, token).csat == 4


def test_an_expired_token_is_gone_and_an_unknown_one_not_found(uow, token):
    uow.session.get(Survey, token).expires_at -= timedelta(days=15)

    with pytest.raises(Gone):
        surveys.answer(uow, token, {"csat": 3, "nps": 7, "comment": None})
    assert surveys.get(uow.session, token)["status"] == "expired"
    with pytest.raises(NotFound):
        surveys.get(uow.session, "not-a-token")


def test_a_new_resolution_supersedes_an_unanswered_survey(given, uow, admin, token):
    ticket_id = uow.session.get(Survey, token).ticket_id
    lifecycle.reopen(uow, admin, ticket_id, "not delivered after all", timedelta(days=7))
    lifecycle.resolve(uow, admin, ticket_id, {"resolution": "Delivered, really."}, timedelta(days=14))

    with pytest.raises(Gone):
        surveys.answer(uow, token, {"csat": 2, "nps": None, "comment": None})
    newest = given.events("survey.requested")[-1]["token"]
    assert surveys.answer(uow, newest, {"csat": 5, "nps": None, "comment": None})["status"] == "answered"
