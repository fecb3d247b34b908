"""One decorator per route: auth, JSON body and query validation, idempotency, ETags, RPC and docs.

    @blp.operation("PATCH", "/accounts/<uuid:account_id>", body=AccountUpdate, response=AccountOut, etag=True)
    def update_account(rpc, account_id, body, expected_version):
        return rpc.customer.update_account(str(account_id), body, expected_version=expected_version)

The handler receives, by parameter name, ``rpc`` (a pooled proxy carrying the caller's signed
identity), ``caller``, ``body`` and ``query`` (validated, JSON-native), ``expected_version`` (from
If-Match) and the path parameters. It returns the answer; this module dumps it with ``response``
and adds the ETag. Every schema named here also documents the route in OpenAPI.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

import flask_smorest
from crm_contracts import jsonio
from crm_contracts.errors import PreconditionFailed
from flask import Response, current_app, g, request
from marshmallow import Schema
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from . import docs, idempotency
from .rpc import rpc_client
from .runtime import runtime
from .security import SIGNED_IN, Access, authorize

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')
BODY_METHODS = ("POST", "PUT", "PATCH")


def etag_for(result: Any) -> str | None:
    version = result.get("version") if isinstance(result, dict) else getattr(result, "version", None)
    return f'"{version}"' if isinstance(version, int) else None


def expected_version() -> int | None:
    """The version named by If-Match (None when absent or ``*``); unparseable can never match."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if match is None:
        raise PreconditionFailed('If-Match must be one ETag from this resource, e.g. "3".')
    return int(match.group(1))


def _not_modified(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header or request.method != "GET":
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def _check_media_type(body_required: bool, multipart: bool = False) -> None:
    """JSON bodies only (multipart for upload routes); a route without a body schema still refuses a
    body of another type."""
    if multipart:
        if request.mimetype != "multipart/form-data":
            raise UnsupportedMediaType("Send the file as multipart/form-data.")
        return
    if not body_required and not request.content_length:
        return
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose ``operation`` applies the gateway's conventions once."""

    def __init__(self, name: str, import_name: str, *, description: str = "", url_prefix: str = "/api/v1"
                 ) -> None:
        super().__init__(name, import_name, url_prefix=url_prefix, description=description)
        self._prepare_doc_cbks.append(docs.conventions_doc)

    def operation(self, method: str, rule: str, *, body: type[Schema] | None = None,
                  query: type[Schema] | None = None, response: type[Schema] | None = None, status: int = 200,
                  access: Access = SIGNED_IN, etag: bool = False, max_body: int | None = None,
                  json_body: bool = False, headers: tuple[dict[str, Any], ...] = (),
                  extra_responses: tuple[int, ...] = (), form: type[Schema] | None = None
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register ``handler`` for ``method rule`` with the gateway's conventions.

        ``body``/``query`` validate the request (422 with field errors) and ``response`` dumps the
        answer; all three document the route. ``access`` says who may call; ``etag`` adds ETag,
        If-None-Match (304) and If-Match (``expected_version``); ``json_body`` demands a JSON body
        the handler reads itself; ``max_body`` raises the size limit for this route only; ``form``
        validates the fields of a multipart/form-data upload (the handler reads ``request.files``).
        """
        method = method.upper()

        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            wanted = set(inspect.signature(handler).parameters)
            view = self._core(handler, wanted, status, etag)
            if query is not None:
                view = self.arguments(query, location="query", unknown=None, arg_name="query")(view)
            if body is not None:
                view = self.arguments(body, unknown=None, arg_name="body")(view)
            if form is not None:
                view = self.arguments(form, location="form", content_type="multipart/form-data", unknown=None,
                                      arg_name="form")(view)
            view = self.response(status, response)(view)
            outer = self._edge(view, method, access, body is not None or json_body, max_body, form is not None)
            outer._apidoc["conventions"] = {  # type: ignore[attr-defined]
                "method": method, "access": access, "etag": etag, "rpc": "rpc" in wanted,
                "path_params": "<" in rule, "extra": extra_responses, "headers": list(headers),
                "status": status, "takes_body": method in BODY_METHODS}
            self.route(rule, methods=[method], endpoint=handler.__name__)(outer)
            return handler

        return decorator

    @staticmethod
    def _core(handler: Callable[..., Any], wanted: set[str], status: int, etag: bool) -> Callable[..., Any]:
        @wraps(handler)
        def core(**kwargs: Any) -> Any:
            for name in ("body", "query", "form"):
                if name in kwargs:
                    kwargs[name] = jsonio.to_jsonable(kwargs[name])
            if "expected_version" in wanted:
                kwargs["expected_version"] = expected_version()
            if "caller" in wanted:
                kwargs["caller"] = g.caller
            if "rpc" in wanted:
                caller = g.get("caller")  # a public route calls without an identity
                with rpc_client(caller.identity if caller else None) as rpc:
                    result = handler(rpc=rpc, **kwargs)
            else:
                result = handler(**kwargs)
            if result is None and status == HTTPStatus.NO_CONTENT:
                return Response(status=204)
            tag = etag_for(result) if etag else None
            if tag is None:
                return result
            if _not_modified(tag):
                return Response(status=304, headers={"ETag": tag})
            return result, {"ETag": tag}

        return core

    @staticmethod
    def _edge(view: Callable[..., Any], method: str, access: Access, body_required: bool,
              max_body: int | None, multipart: bool = False) -> Callable[..., Any]:
        @wraps(view)
        def edge(**kwargs: Any) -> Any:
            if max_body is not None:  # e.g. imports: larger than the app-wide MAX_CONTENT_LENGTH
                request.max_content_length = max_body
            limit = request.max_content_length
            if limit is not None and (request.content_length or 0) > limit:
                raise RequestEntityTooLarge(f"The body may be at most {limit} bytes.")
            rt = runtime()
            with rt.db.session() as session:
                caller = authorize(session, rt.tokens, access)
            if method in BODY_METHODS:
                _check_media_type(body_required, multipart)
            key = request.headers.get(idempotency.HEADER)
            if method == "POST" and key is not None and caller is not None:
                return rt.idempotency.run(caller.principal, key, lambda: current_app.make_response(view(**kwargs)))
            return view(**kwargs)

        return edge
