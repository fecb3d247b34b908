"""Turning lost races at flush time into answers a caller can act on (409), never a 500."""

from __future__ import annotations

from crm_contracts.errors import Conflict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError


def flush(session: Session, what: str) -> None:
    """Flush pending changes; a concurrent writer (version check) or a uniqueness race is a Conflict."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(f"{what} was changed by someone else at the same time; reload it and retry.") from None
    except IntegrityError as exc:
        raise Conflict(f"{what} clashes with a record written at the same time: "
                       f"{str(exc.orig).splitlines()[0]}") from None
