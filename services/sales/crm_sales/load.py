"""Open leads per rep: kept in step with every change of a lead's owner, read by the claim limit
and by load-balanced assignment."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from .bulk import insert_ignore
from .models import RepLoad


def _ensure(session: Session, user_id: str) -> None:
    insert_ignore(session, RepLoad, user_id=user_id, open_leads=0)


def add(session: Session, user_id: str | None, count: int) -> None:
    if not user_id or not count:
        return
    _ensure(session, user_id)
    session.execute(update(RepLoad).where(RepLoad.user_id == user_id)
                    .values(open_leads=RepLoad.open_leads + count))


def take_one(session: Session, user_id: str, limit: int) -> bool:
    """Count one more lead for ``user_id`` unless they are at ``limit``.

    A single conditional UPDATE: concurrent claims by one rep queue on the row, and each sees the
    count the previous one left, so the limit holds under any concurrency.
    """
    _ensure(session, user_id)
    result = session.execute(update(RepLoad).where(RepLoad.user_id == user_id, RepLoad.open_leads < limit)
                             .values(open_leads=RepLoad.open_leads + 1))
    return result.rowcount == 1
