"""The 360 view: the account, contacts, relationships and credit from here; sales, service and value
figures fetched in parallel from their owners.

Remote calls are sent first, in green threads, and run while the account and the local sections are
read; if the account turns out missing or out of the caller's scope their answers are dropped (the
owners check visibility too). Each has its own deadline; a section that fails or is late is named
in ``degraded`` and the view still answers. Sections the caller's role may not see are left empty
and named in ``restricted``.
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from crm_contracts.identity import Identity
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from . import contacts, credit, relationships
from .access import sees_credit
from .models import Account, Contact

log = logging.getLogger(__name__)

Started = Any  # an in-flight call with a blocking ``result()`` (nameko's RpcReply)
REMOTE = ("sales", "service", "analytics")
HIDDEN_FROM_PORTAL = ("sales", "analytics")
LOCAL_LIMIT = 50
# Built once: constructing the statement costs more CPU than running it.
CONTACTS = (select(Contact).where(Contact.account_id == bindparam("account_id"), Contact.deleted_at.is_(None))
            .order_by(Contact.is_primary.desc(), Contact.name).limit(LOCAL_LIMIT))


def restricted(actor: Identity) -> list[str]:
    hidden = [] if sees_credit(actor) else ["credit"]
    return sorted(hidden + (list(HIDDEN_FROM_PORTAL) if actor.role == "customer" else []))


def _send(method: Any, account_id: str) -> Started | Exception:
    try:
        return method.call_async(account_id)
    except Exception as exc:  # noqa: BLE001 - e.g. UnknownService when it never started
        return exc


def start(actor: Identity, calls: dict[str, Any], account_id: str) -> dict[str, eventlet.GreenThread]:
    """Send the remote calls the caller may see, each in its own green thread: nameko waits for the
    broker to confirm every request, and these waits overlap with each other and the local reads."""
    return {name: eventlet.spawn(_send, method, account_id) for name, method in calls.items()
            if name not in restricted(actor)}


def local(session: Session, actor: Identity, account: Account) -> dict[str, Any]:
    people = session.scalars(CONTACTS, {"account_id": account.id}).all()
    links, _ = relationships.links_of(session, actor, account, {"limit": LOCAL_LIMIT})
    balance = credit.to_out(session, credit.of(session, account)) if sees_credit(actor) else None
    return {"contacts": [contacts.to_out(c, actor) for c in people], "relationships": links, "credit": balance}


def finish(answer: dict[str, Any], in_flight: dict[str, eventlet.GreenThread], timeout: float,
           actor: Identity) -> dict[str, Any]:
    """Wait for the remote sections (each at most ``timeout`` seconds) and complete the view."""
    degraded = []

    def wait(name: str) -> tuple[str, Any, bool]:
        try:
            with eventlet.Timeout(timeout):
                call = in_flight[name].wait()
                if isinstance(call, Exception):
                    raise call
                return name, call.result(), True
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - degrade, never fail the view
            log.warning("360 section %s degraded: %r", name, exc)
            return name, None, False

    answer.update({name: None for name in REMOTE})
    for name, value, ok in eventlet.GreenPool(len(in_flight) or 1).imap(wait, list(in_flight)):
        answer[name] = value
        if not ok:
            degraded.append(name)
    return {**answer, "degraded": sorted(degraded), "restricted": restricted(actor)}
