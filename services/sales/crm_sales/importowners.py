"""Owners for the leads an import creates, by the job's assignment mode:

- ``pool``: none, every lead goes to the pool;
- ``me``: the uploader, while they have room under the claim limit, then the pool;
- ``rules``: the assignment rules (round robin or lightest load, within the lead's region), else the pool.

``me`` and ``rules`` are sequential — each placement changes the counts and cursors the next one
sees — so they run in Python over the rows to create, in file order, once their fates are decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crm_contracts.identity import Identity
from sqlalchemy.orm import Session

from . import directory
from .assignment import Assigner
from .models import RepLoad

Owned = tuple[int, str, str | None, str | None]  # (row, owner_id, team, region of the lead)


@dataclass
class Owners:
    session: Session
    mode: str
    actor: Identity
    rules: dict[str, Any]
    owned: dict[str, int] = field(default_factory=dict)  # leads handed to each owner by this import
    assigner: Assigner | None = None

    def __post_init__(self) -> None:
        limit = self.rules["pool"]["claim_limit"]
        self.me = directory.Owner.acting(self.session, self.actor) if self.mode == "me" else None
        if self.me is not None:
            row = self.session.get(RepLoad, self.me.user_id)
            self.my_room = limit - (row.open_leads if row else 0)
        if self.mode == "rules" and self.rules["assignment"]["rules"]:
            self.assigner = Assigner(self.session, self.rules["assignment"]["rules"], limit)

    @property
    def needed(self) -> bool:
        """False when every lead goes to the pool whatever it holds (no pass over the rows)."""
        return self.me is not None or self.assigner is not None

    def place(self, rows: Iterable[Sequence[Any]]) -> list[Owned]:
        """The owner of each created row that gets one; ``rows`` are (row, grade, source, region)."""
        placed: list[Owned] = []
        for number, grade, source, region in rows:
            owner = self._owner(grade, source, region)
            if owner is not None:
                user_id, team, owner_region = owner
                self.owned[user_id] = self.owned.get(user_id, 0) + 1
                placed.append((number, user_id, team, region or owner_region))
        return placed

    def _owner(self, grade: str, source: str, region: str | None) -> tuple[str, str | None, str | None] | None:
        if self.me is not None and self.my_room > 0:
            self.my_room -= 1
            return self.me.user_id, self.me.team, self.me.region
        if self.assigner is not None and (found := self.assigner.place(
                {"grade": grade, "source": source, "region": region})):
            return found.owner.user_id, found.owner.team, found.owner.region
        return None
