"""The 360 view: the account from here, the other sections fetched in parallel from their owners.

Each section has its own deadline; a section that fails or is late is named in ``degraded`` and the
view still answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import eventlet

log = logging.getLogger(__name__)

Started = Any  # an in-flight call with a blocking ``result()`` (nameko's RpcReply)


def assemble(account: dict[str, Any], sections: dict[str, Callable[[], Started]],
             timeout: float) -> dict[str, Any]:
    in_flight: dict[str, Started] = {}
    answer: dict[str, Any] = {"account": account, "degraded": []}
    for name, start in sections.items():
        try:
            in_flight[name] = start()
        except Exception as exc:  # noqa: BLE001 - e.g. UnknownService when it never started
            log.warning("360 section %s unavailable: %s", name, exc)
            answer[name] = None
            answer["degraded"].append(name)
    pool = eventlet.GreenPool(len(in_flight) or 1)

    def wait(name: str) -> tuple[str, Any, bool]:
        try:
            with eventlet.Timeout(timeout):
                return name, in_flight[name].result(), True
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - degrade, never fail the view
            log.warning("360 section %s degraded: %r", name, exc)
            return name, None, False

    for name, value, ok in pool.imap(wait, list(in_flight)):
        answer[name] = value
        if not ok:
            answer["degraded"].append(name)
    answer["degraded"].sort()
    return answer
