"""Portal users follow their account through merges.

A customer (portal) user is bound to one account. When that account is merged into another, the
duplicate answers 404 everywhere and its tickets and shipments move to the survivor: the user, being
that same customer, now acts for the survivor. The gateway learns of it when it next reads the user's
state (every few seconds per process): it asks the customer service which live account the bound one
stands for — at most every ``PORTAL_ACCOUNT_CHECK_SECONDS`` per account and process — and re-binds
the user in its own database (``user.updated`` is published, as for any change of a user).
"""

from __future__ import annotations

import logging
import threading

from cachetools import TLRUCache
from crm_contracts.identity import SYSTEM
from flask import current_app

from .rpc import rpc_client
from .runtime import runtime
from .store import users
from .store.models import User

log = logging.getLogger(__name__)
RPC_TIMEOUT = 2.0
# Bound accounts checked lately; each stays for the seconds the setting gave when it was checked.
_checked: TLRUCache[str, float] = TLRUCache(maxsize=10_000, ttu=lambda _account, seconds, now: now + seconds)
_lock = threading.Lock()


def account_of(user: User) -> str | None:
    """The account ``user`` acts for: the survivor if the bound one was merged (re-binding the user)."""
    bound = user.account_id
    if user.role != "customer" or not bound:
        return bound
    with _lock:
        if bound in _checked:
            return bound
    try:
        with rpc_client(SYSTEM, timeout=RPC_TIMEOUT) as rpc:
            survivor = rpc.customer.account_survivor(bound)
    except Exception as exc:  # noqa: BLE001 - the customer service may be down: keep the binding, retry later
        log.warning("could not check the account of portal user %s: %r", user.id, exc)
        return bound
    with _lock:
        _checked[bound] = float(current_app.config["PORTAL_ACCOUNT_CHECK_SECONDS"])
    if survivor is None or survivor == bound:
        return bound
    with runtime().db.transaction() as session:
        users.update(session, SYSTEM, user.id, {"account_id": survivor})
    log.info("portal user %s follows account %s into %s", user.id, bound, survivor)
    return survivor
