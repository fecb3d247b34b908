"""Activities, tasks, memos and the caller-ID lookup."""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis.rpc import rpc
from crm_contracts.chassis.validation import load
from crm_contracts.errors import EXPECTED
from crm_contracts.payloads.activities import ActivityCreate, ActivityListQuery, ActivityUpdate, LookupQuery

from .. import activities, lookup
from .common import Endpoints, page


class ActivityEndpoints(Endpoints):
    @rpc(expected_exceptions=EXPECTED)
    def create_activity(self, payload: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ActivityCreate, payload)
        with self.writing() as uow:
            return activities.to_out(activities.create(uow, actor, data))

    @rpc(expected_exceptions=EXPECTED)
    def get_activity(self, activity_id: str) -> dict[str, Any]:
        actor = self.caller.require()
        with self.db.reading() as session:
            return activities.to_out(activities.get(session, actor, activity_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_activities(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(ActivityListQuery, query)
        with self.db.reading() as session:
            return page(*activities.list_(session, actor, params), activities.to_out)

    @rpc(expected_exceptions=EXPECTED)
    def update_activity(self, activity_id: str, payload: dict[str, Any],
                        expected_version: int | None = None) -> dict[str, Any]:
        actor = self.caller.require()
        data = load(ActivityUpdate, payload)
        with self.writing() as uow:
            return activities.to_out(activities.update_(uow, actor, activity_id, data, expected_version))

    @rpc(expected_exceptions=EXPECTED)
    def lookup_phone(self, query: dict[str, Any]) -> dict[str, Any]:
        actor = self.caller.require()
        params = load(LookupQuery, query)
        with self.db.reading() as session:
            return lookup.by_phone(session, actor, params["phone"])
