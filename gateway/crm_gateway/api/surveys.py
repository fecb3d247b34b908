"""The public satisfaction survey: the link's token is the only credential, good for one answer."""

from __future__ import annotations

from typing import Any

from crm_contracts.payloads.surveys import SurveyAnswer, SurveyOut

from ..endpoint import ApiBlueprint
from ..security import PUBLIC

blp = ApiBlueprint("surveys", __name__, description="Satisfaction surveys (public)")
SURVEY = "/surveys/<string(maxlength=64):token>"


@blp.operation("GET", SURVEY, response=SurveyOut, access=PUBLIC)
def get_survey(rpc: Any, token: str) -> Any:
    """The survey behind a link: its questions and whether it can still be answered."""
    return rpc.service_desk.get_survey(token)


@blp.operation("POST", SURVEY, body=SurveyAnswer, response=SurveyOut, access=PUBLIC,
               extra_responses=(409, 410, 422))
def answer_survey(rpc: Any, token: str, body: dict[str, Any]) -> Any:
    """Answer once (CSAT 1–5, NPS 0–10, comment); a used link answers 409, an expired one 410."""
    return rpc.service_desk.answer_survey(token, body)
