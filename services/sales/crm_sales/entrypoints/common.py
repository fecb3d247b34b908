"""What every entrypoint mixin shares: the dependencies it expects and two small adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from crm_contracts.chassis.database import UnitOfWork


class Endpoints:
    """Type hints for the dependencies ``SalesService`` declares."""

    db: Any
    caller: Any
    imports_runner: Any
    customer: Any
    config: Any

    @contextmanager
    def writing(self) -> Iterator[UnitOfWork]:
        """``db.transaction()`` (which answers a lost optimistic-lock race with 409)."""
        with self.db.transaction() as uow:
            yield uow


def page(items: Iterable[Any], cursor: str | None, out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {"items": [out(item) for item in items], "next_cursor": cursor}
