"""The routing and SLA configuration as each process reads it: active skill groups and SLA policies.

Every ticket opened reads both (an exception burst opens hundreds a second) and they change rarely, so
a process keeps a copy for ``TTL_SECONDS``. A change committed by this process clears its copy at once;
other instances of the service see it within ``TTL_SECONDS``. The copies are plain frozen values, never
ORM objects, so no session ever shares them.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .business_hours import Calendar
from .models import SkillGroup, SlaPolicy

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class GroupRule:
    id: str
    name: str
    categories: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class PolicyRule:
    id: str
    priority: str
    tier: str | None
    first_response_minutes: int
    resolution_minutes: int
    warn_percent: int
    calendar: Calendar | None


@dataclass(frozen=True)
class Rules:
    groups: tuple[GroupRule, ...]
    policies: tuple[PolicyRule, ...]


_caches: weakref.WeakKeyDictionary[Engine, TTLCache] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _cache(session: Session) -> TTLCache:
    engine = session.get_bind().engine
    with _lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = TTLCache(maxsize=1, ttl=TTL_SECONDS)
        return cache


def _load(session: Session) -> Rules:
    groups = tuple(GroupRule(g.id, g.name, tuple(g.categories or ()), tuple(g.regions or ()))
                   for g in session.scalars(select(SkillGroup).where(SkillGroup.active)))
    policies = tuple(PolicyRule(p.id, p.priority, p.tier, p.first_response_minutes, p.resolution_minutes,
                                p.warn_percent, Calendar.from_json(p.calendar))
                     for p in session.scalars(select(SlaPolicy).where(SlaPolicy.active)))
    return Rules(groups, policies)


def current(session: Session) -> Rules:
    cache = _cache(session)
    rules = cache.get("rules")
    if rules is None:
        rules = cache["rules"] = _load(session)
    return rules


def uncached(session: Session) -> Rules:
    """The rules as this session sees them, its own uncommitted changes included, and never kept: what a
    configuration change reads must neither come from an older copy nor reach other transactions."""
    return _load(session)


def changed(session: Session) -> None:
    """A skill group or SLA policy changed in this session: drop this process's copy now and again when
    the change commits (a copy read in between would still hold the old values)."""
    cache = _cache(session)
    cache.clear()

    def forget(_session: Any) -> None:
        cache.clear()

    event.listen(session, "after_commit", forget, once=True)
