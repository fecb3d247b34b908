"""What one gateway app holds: database, RPC edge, token service, relay and TMS ingest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from .idempotency import IdempotencyStore
    from .relay import OutboxRelay
    from .rpc import RpcClients
    from .security import Tokens
    from .store.db import Database
    from .tms_ingest import TmsIngest

EXTENSION = "crm_gateway"


@dataclass
class Runtime:
    db: Database
    rpc: RpcClients
    tokens: Tokens
    relay: OutboxRelay
    tms: TmsIngest
    idempotency: IdempotencyStore


def runtime() -> Runtime:
    return current_app.extensions[EXTENSION]
