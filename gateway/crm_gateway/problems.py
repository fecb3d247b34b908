"""problem+json (RFC 9457) for every error the gateway answers, and the one table of remote errors.

Every error path ends here: werkzeug's own (404, 405, 413, 415), webargs validation (422), the
typed ``crm_contracts.errors`` from services and from the gateway itself, transport failures
(timeouts, no service, broker down) and unexpected exceptions (500, logged with a stack trace).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping
from typing import Any

import amqp.exceptions
import kombu.exceptions
import pika.exceptions
from crm_contracts import jsonio
from crm_contracts.errors import CrmError
from crm_contracts.tms.publisher import UnroutableEvent
from flask import Flask, Response, g, has_request_context, request
from nameko.exceptions import BadRequest, ContainerBeingKilled, RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .rpc import PoolExhausted

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"

# The one table: exception class -> (status, detail). First match wins; CrmError subclasses carry
# their own status; anything unlisted is a 500.
REMOTE_ERRORS: tuple[tuple[type[BaseException], int, str], ...] = (
    (RpcTimeout, 504, "A service behind the gateway did not answer in time."),
    (UnknownService, 503, "A service behind the gateway is not running."),
    (ContainerBeingKilled, 503, "A service behind the gateway is shutting down; retry shortly."),
    (PoolExhausted, 503, "The gateway has no free connection to the services; retry shortly."),
    (UnroutableEvent, 503, "The event bus has no queue for this event yet."),
    (amqp.exceptions.ConnectionError, 503, "The message broker is unreachable."),
    (kombu.exceptions.OperationalError, 503, "The message broker is unreachable."),
    (pika.exceptions.AMQPError, 503, "The message broker is unreachable."),
    (socket.timeout, 503, "The message broker is unreachable."),
    (ConnectionError, 503, "The message broker is unreachable."),
    (BadRequest, 500, "The gateway called a service in a way it does not support."),
    (RemoteError, 500, "A service behind the gateway failed."),
)


def problem(status: int, detail: str | None = None, *, title: str | None = None, type_: str = "about:blank",
            errors: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
            extensions: Mapping[str, Any] | None = None) -> Response:
    """A problem+json response; ``extensions`` become extra members (e.g. ``duplicates``)."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or title or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if errors is not None:
        body["errors"] = errors
    body.update({k: v for k, v in (extensions or {}).items() if k not in body and k != "request_id"})
    if has_request_context():
        body["request_id"] = g.get("request_id")
    response = Response(jsonio.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401 and "WWW-Authenticate" not in response.headers:
        response.headers["WWW-Authenticate"] = _challenge()
    return response


def _challenge() -> str:
    presented = has_request_context() and request.headers.get("Authorization", "").startswith("Bearer ")
    return 'Bearer realm="crm", error="invalid_token"' if presented else 'Bearer realm="crm"'


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"field.sub": [..]}``; webargs' location level dropped."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in (messages or {}).items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        else:
            flat.setdefault(name, []).extend(str(m) for m in (value if isinstance(value, list) else [value]))
    return flat


def from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs: {"json": {...}} or {"query": {...}}
        messages = data["messages"]
        inner = {}
        for location_messages in messages.values():
            inner.update(flatten(location_messages))
        detail = "The request body is not valid JSON." if status == 400 else "The request has invalid fields."
        return problem(status, detail, errors=inner if status == 422 else None, headers=headers)
    if status >= 500:
        log.error("HTTP %s raised: %s", status, exc.description, exc_info=exc.__cause__ or exc)
    return problem(status, exc.description, title=exc.name, headers=headers)


def from_crm_error(exc: CrmError) -> Response:
    extra = dict(exc.extra or {})
    errors = extra.pop("errors", None)
    if exc.status >= 500:
        log.error("service error %s", exc, exc_info=exc)
    return problem(exc.status, exc.detail or exc.title, title=exc.title,
                   errors=errors if exc.status == 422 else None, extensions=jsonio.to_jsonable(extra))


def from_exception(exc: Exception) -> Response:
    for cls, status, detail in REMOTE_ERRORS:
        if isinstance(exc, cls):
            if status >= 500 and status not in (503, 504):
                log.error("%s: %s", type(exc).__name__, exc, exc_info=exc)
            else:
                log.warning("%s: %s", type(exc).__name__, exc)
            headers = {"Retry-After": "1"} if status == 503 else None
            return problem(status, detail, headers=headers)
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return problem(500, "Something went wrong in the gateway; quote the request id when reporting it.")


def handle(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return from_http_exception(exc)
    if isinstance(exc, CrmError):
        return from_crm_error(exc)
    return from_exception(exc)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle)
    app.register_error_handler(CrmError, handle)
    app.register_error_handler(Exception, handle)
