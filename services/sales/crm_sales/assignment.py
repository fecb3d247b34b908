"""Assignment rules: the first rule whose grades/sources/regions match picks an owner among its
candidates (a team, a named group such as senior reps, or the reps of the lead's region) by round
robin or by the lightest load, skipping reps at their claim limit. No match leaves the lead in the pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import directory
from .models import AssignmentCursor, RepLoad, UserView


@dataclass
class Placement:
    owner: UserView
    rule: str


@dataclass
class Assigner:
    """Picks owners for a run of leads; ``loads`` counts what this run already handed out."""

    session: Session
    rules: list[Mapping[str, Any]]
    claim_limit: int
    loads: dict[str, int] = field(default_factory=dict)
    cursors: dict[str, str | None] = field(default_factory=dict)
    _candidates: dict[tuple[str, str | None], list[UserView]] = field(default_factory=dict)

    def _matches(self, rule: Mapping[str, Any], lead: Mapping[str, Any]) -> bool:
        return ((not rule["grades"] or lead.get("grade") in rule["grades"])
                and (not rule["sources"] or lead.get("source") in rule["sources"])
                and (not rule["regions"] or lead.get("region") in rule["regions"]))

    def _pool_of(self, rule: Mapping[str, Any], region: str | None) -> list[UserView]:
        # Candidates stay within the lead's region: an owner outside it could not see the lead.
        key = (rule["name"], region)
        if key not in self._candidates:
            users = directory.sellers(self.session, region=region, team=rule["team"],
                                      user_ids=[str(u) for u in rule["user_ids"]])
            self._candidates[key] = users
            missing = [u.user_id for u in users if u.user_id not in self.loads]
            if missing:
                self.loads.update({u: 0 for u in missing})
                rows = self.session.execute(select(RepLoad.user_id, RepLoad.open_leads)
                                            .where(RepLoad.user_id.in_(missing))).all()
                self.loads.update({r.user_id: r.open_leads for r in rows})
        return self._candidates[key]

    def _cursor(self, rule: str) -> str | None:
        if rule not in self.cursors:
            row = self.session.get(AssignmentCursor, rule)
            self.cursors[rule] = row.last_user_id if row else None
        return self.cursors[rule]

    def _round_robin(self, rule: str, users: list[UserView]) -> UserView:
        last = self._cursor(rule)
        ids = [u.user_id for u in users]
        start = ids.index(last) + 1 if last in ids else 0
        return (users[start:] + users[:start])[0]

    def place(self, lead: Mapping[str, Any]) -> Placement | None:
        for rule in self.rules:
            if not self._matches(rule, lead):
                continue
            users = [u for u in self._pool_of(rule, lead.get("region")) if self.loads[u.user_id] < self.claim_limit]
            if not users:
                continue
            if rule["strategy"] == "load_balanced":
                owner = min(users, key=lambda u: (self.loads[u.user_id], u.user_id))
            else:
                owner = self._round_robin(rule["name"], users)
                self.cursors[rule["name"]] = owner.user_id
            self.loads[owner.user_id] += 1
            return Placement(owner=owner, rule=rule["name"])
        return None

    def save_cursors(self) -> None:
        for rule, user_id in self.cursors.items():
            row = self.session.get(AssignmentCursor, rule)
            if row is None:
                self.session.add(AssignmentCursor(rule=rule, last_user_id=user_id))
            else:
                row.last_user_id = user_id
