"""Activities, tasks and memos (客户联络 / 行动管理), and caller-ID for the call centre."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.activities import (
    ActivityCreate,
    ActivityListQuery,
    ActivityOut,
    ActivityPage,
    ActivityUpdate,
    LookupOut,
    LookupQuery,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("activities", __name__, description="Activities, tasks, memos and caller-ID")
ACTIVITY = "/activities/<uuid:activity_id>"


@blp.operation("POST", "/activities", body=ActivityCreate, response=ActivityOut, status=201, etag=True,
               extra_responses=(403, 422))
def create_activity(rpc: Any, body: dict[str, Any]) -> Any:
    """Log a call, visit, meeting, e-mail or memo, or set a task (managers dispatch with `assignee_id`)."""
    return rpc.sales.create_activity(body)


@blp.operation("GET", "/activities", query=ActivityListQuery, response=ActivityPage)
def list_activities(rpc: Any, query: dict[str, Any]) -> Any:
    """Activities the caller may see; `?due_before=` for what is coming up."""
    return rpc.sales.list_activities(query)


@blp.operation("GET", ACTIVITY, response=ActivityOut, etag=True)
def get_activity(rpc: Any, activity_id: UUID) -> Any:
    """One activity."""
    return rpc.sales.get_activity(str(activity_id))


@blp.operation("PATCH", ACTIVITY, body=ActivityUpdate, response=ActivityOut, etag=True, extra_responses=(409, 422))
def update_activity(rpc: Any, activity_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Complete a task with feedback (`status: done`), move its due time, or add notes."""
    return rpc.sales.update_activity(str(activity_id), body, expected_version=expected_version)


@blp.operation("GET", "/lookup", query=LookupQuery, response=LookupOut, extra_responses=(422,))
def lookup(rpc: Any, query: dict[str, Any]) -> Any:
    """Caller-ID: the leads, contacts and accounts behind a phone number in any format, with recent history."""
    return rpc.sales.lookup_phone(query)
