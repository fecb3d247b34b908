"""A pool of started nameko ``ClusterRpcProxy`` connections, one borrowed per request.

A standalone proxy is single-threaded and its context data is fixed per proxy, so each request
borrows one, sets the caller's signed identity in its worker context (nameko reads
``_worker_ctx.data`` at every call) and clears it on return. A proxy that timed out or lost its
connection may still receive a late reply on its reply queue, so it is stopped and replaced.

    with rpc_client(identity) as rpc:
        rpc.customer.get_account(account_id)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from crm_contracts.chassis.rpc import ClusterRpcProxy
from crm_contracts.errors import CrmError
from crm_contracts.identity import CONTEXT_KEY, Identity, sign
from flask import current_app, g, has_request_context
from kombu import Connection
from nameko.exceptions import BadRequest, RemoteError, UnknownService

log = logging.getLogger(__name__)
# kombu looks for librabbitmq each time it builds a Connection outside eventlet, and nameko builds one
# for every message it publishes: a failed import that searched sys.path on every request. We use
# py-amqp; None in sys.modules makes that import fail at once.
sys.modules.setdefault("librabbitmq", None)
REQUEST_ID_KEY = "request_id"  # extra context header so service logs can quote the gateway request
# The proxy is still healthy after these: the service answered (or the broker said "no such service").
_ANSWERED = (CrmError, RemoteError, UnknownService, BadRequest)


class PoolExhausted(RuntimeError):
    """Every proxy stayed busy for longer than the RPC timeout."""


class RpcClients(Protocol):
    """What the gateway needs from the RPC edge; the pool here, a recording fake in unit tests."""

    def client(self, identity_token: str | None, *, request_id: str | None = None,
               timeout: float | None = None) -> Any: ...

    def ping(self, timeout: float) -> None: ...


class _Member:
    def __init__(self, amqp_uri: str, timeout: float) -> None:
        self.runner = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)
        self.proxy = self.runner.start()

    @property
    def context(self) -> dict[str, Any]:
        return self.runner._worker_ctx.data

    def set_timeout(self, timeout: float) -> None:
        self.runner._reply_listener.queue_consumer.timeout = timeout

    def stop(self) -> None:
        try:
            self.runner.stop()
        except Exception as exc:  # noqa: BLE001 - the connection may be broken already
            log.debug("stopping a discarded RPC proxy failed: %s", exc)


class RpcPool:
    """Lazily grows to ``max_size`` started proxies; never shares one between threads."""

    def __init__(self, amqp_uri: str, timeout: float, max_size: int = 32) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(max_size)
        self._idle: list[_Member] = []
        self._lock = threading.Lock()

    def _connect(self) -> _Member:
        return _Member(self.amqp_uri, self.timeout)

    def _take(self) -> _Member:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()  # outside the lock: connecting may take a while

    @contextmanager
    def client(self, identity_token: str | None, *, request_id: str | None = None,
               timeout: float | None = None) -> Iterator[Any]:
        if not self._slots.acquire(timeout=self.timeout):
            raise PoolExhausted("no RPC proxy became free in time")
        member: _Member | None = None
        try:
            member = self._take()
            member.set_timeout(timeout or self.timeout)
            if identity_token:
                member.context[CONTEXT_KEY] = identity_token
            if request_id:
                member.context[REQUEST_ID_KEY] = request_id
            yield member.proxy
        except BaseException as exc:
            if member is not None and not isinstance(exc, _ANSWERED):
                member.stop()  # a late reply could reach the next borrower
                member = None
            raise
        finally:
            if member is not None:
                member.context.pop(CONTEXT_KEY, None)
                member.context.pop(REQUEST_ID_KEY, None)
                with self._lock:
                    self._idle.append(member)
            self._slots.release()

    def ping(self, timeout: float) -> None:
        """Raise unless the broker accepts a connection within ``timeout`` seconds."""
        with Connection(self.amqp_uri, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for member in idle:
            member.stop()


def rpc_client(identity: Identity | None, *, timeout: float | None = None) -> Any:
    """Borrow a proxy of the current app carrying ``identity`` (signed) for the calls made with it."""
    from .runtime import runtime

    token = sign(identity, current_app.config["IDENTITY_SECRET"]) if identity is not None else None
    request_id = g.get("request_id") if has_request_context() else None
    return runtime().rpc.client(token, request_id=request_id, timeout=timeout)
