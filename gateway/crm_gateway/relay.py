"""The gateway's outbox relay: a daemon thread publishing staged user events with confirms.

Kicked right after a transaction that staged events commits, and woken every ``interval`` seconds
anyway, so rows left by a crashed process are sent too. Each gunicorn worker runs one; on
PostgreSQL rows are locked with SKIP LOCKED, elsewhere a duplicate publish is possible and
consumers dedupe by ``event_id``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from crm_contracts.chassis.outbox import OutboxTables, Publish, publish_pending
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, session_factory: Callable[[], Session], tables: OutboxTables, publish: Publish,
                 interval: float = 1.0, enabled: bool = True) -> None:
        self._session_factory = session_factory
        self._tables = tables
        self._publish = publish
        self._interval = interval
        self._enabled = enabled
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def run_once(self) -> int:
        """Publish what is pending now; returns how many events were sent."""
        return publish_pending(self._session_factory, self._tables, self._publish)

    def kick(self) -> None:
        if not self._enabled:
            return
        self._ensure_thread()
        self._wake.set()

    def start(self) -> None:
        if self._enabled:
            self._ensure_thread()

    def _ensure_thread(self) -> None:
        # A forked worker inherits the object but not the thread: start one per process.
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            self._wake.wait(backoff)
            self._wake.clear()
            try:
                while self.run_once():
                    pass
                backoff = self._interval
            except Exception as exc:  # noqa: BLE001 - keep relaying; the broker may come back
                log.warning("outbox relay could not publish: %s", exc)
                backoff = min(backoff * 2, 30.0)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
