"""What every entrypoint mixin shares: the dependencies it expects and two small adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.errors import Conflict
from sqlalchemy.orm.exc import StaleDataError


class Endpoints:
    """Type hints for the dependencies ``SalesService`` declares."""

    db: Any
    caller: Any
    imports_runner: Any
    customer: Any
    config: Any

    @contextmanager
    def writing(self) -> Iterator[UnitOfWork]:
        """``db.transaction()``, with a lost optimistic-lock race answered as 409 rather than a crash."""
        try:
            with self.db.transaction() as uow:
                yield uow
        except StaleDataError:
            raise Conflict("The record changed while you were saving; reload it and try again.") from None


def page(items: Iterable[Any], cursor: str | None, out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {"items": [out(item) for item in items], "next_cursor": cursor}
