"""The OpenAPI document (flask-smorest over the same marshmallow schemas that validate) and the
Swagger UI page, whose assets come from the ``swagger_ui_bundle`` package: no CDN, works offline."""

from __future__ import annotations

import http
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from . import problems
from .schemas import ProblemSchema
from .security import Access

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "Access token from POST /api/v1/auth/login."},
    "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                   "description": "Integration key from POST /api/v1/api-keys."},
}

IF_MATCH_DOC = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                "description": 'The ETag you read, e.g. "3": a stale one answers 412 and changes nothing.'}
IF_NONE_MATCH_DOC = {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                     "description": "The ETag you hold: 304 without a body when it is still current."}
IDEMPOTENCY_KEY_DOC = {"in": "header", "name": "Idempotency-Key", "required": False,
                       "schema": {"type": "string", "maxLength": 255},
                       "description": "Repeat with the same key and body to get the first answer again."}
ETAG_DOC = {"description": 'The version of the resource, e.g. "3".', "schema": {"type": "string"}}


class CrmApi(flask_smorest.Api):
    """flask-smorest's Api with problem+json errors, both in answers and in the document."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return problems.from_http_exception(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any error, as problem+json", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def init_app(app: Flask) -> CrmApi:
    api = CrmApi(app)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    assets = Blueprint("swagger_assets", __name__)

    @assets.route("/api/docs/assets/<path:filename>")
    def swagger_asset(filename: str) -> Response:
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)

    app.register_blueprint(assets)
    return api


def _header_params(conv: dict[str, Any]) -> list[Any]:
    params = list(conv["headers"])
    if conv["method"] == "POST" and not conv["access"].public:
        params.append(IDEMPOTENCY_KEY_DOC)
    if conv["etag"] and conv["method"] == "GET":
        params.append(IF_NONE_MATCH_DOC)
    if conv["etag"] and conv["method"] == "PATCH":
        params.append(IF_MATCH_DOC)
    return params


def _error_codes(conv: dict[str, Any]) -> set[int]:
    access: Access = conv["access"]
    codes = set(conv["extra"])
    rules = (
        (not access.public, {401, 403}),
        (conv["method"] == "POST" and not access.public, {409}),
        (conv["etag"] and conv["method"] == "GET", {304}),
        (conv["etag"] and conv["method"] == "PATCH", {412}),
        (conv["path_params"], {404}),
        (conv["takes_body"], {413, 415}),
        (conv["rpc"], {503, 504}),
    )
    for applies, extra in rules:
        if applies:
            codes |= extra
    return codes


def conventions_doc(doc: dict[str, Any], doc_info: dict[str, Any], **_: Any) -> dict[str, Any]:
    """flask-smorest doc callback: what ``ApiBlueprint.operation`` adds to every route, documented."""
    conv = doc_info.get("conventions")
    if not conv:
        return doc
    access: Access = conv["access"]
    doc["security"] = [] if access.public else [{"bearerAuth": []}, {"apiKeyAuth": []}]
    if access.roles or access.scopes:
        doc["x-allowed"] = {"roles": list(access.roles or ()), "scopes": list(access.scopes)}
    params = [*doc.get("parameters", []), *_header_params(conv)]
    if params:
        doc["parameters"] = params
    responses = doc.setdefault("responses", {})
    if conv["etag"] and isinstance(responses.get(conv["status"]), dict):
        responses[conv["status"]].setdefault("headers", {})["ETag"] = ETAG_DOC
    for code in sorted(_error_codes(conv)):
        responses.setdefault(code, HTTPStatus(code).name)
    return doc
