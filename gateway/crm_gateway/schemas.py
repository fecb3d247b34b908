"""Schemas of what only the gateway owns: sign-in, users, API keys, problems, ingest receipts.

Shared resource schemas live in ``crm_contracts.payloads``; these follow the same rules (inputs
reject unknown fields) and feed both validation and the OpenAPI document.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_contracts.events.gateway import LANGUAGES
from crm_contracts.identity import ROLES
from crm_contracts.payloads.common import ListQuery, Strict, page_of
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .store.api_keys import SCOPES

USERNAME = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$",
                           error="Use 3-64 letters, digits, '.', '_', '@' or '-'.")
PASSWORD = validate.Length(min=10, max=256, error="Use 10 to 256 characters.")


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": "A URI naming the kind of problem (about:blank)."})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    request_id = fields.String(metadata={"description": "Also in the X-Request-ID header."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Validation messages by field (422)."})


class LoginIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class RefreshIn(Strict):
    refresh_token = fields.String(required=True, load_only=True)


class TokenPairOut(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the access token lives."})
    refresh_expires_in = fields.Integer(required=True)


TIME_ZONE_HELP = "IANA time zone (e.g. Asia/Shanghai) notifications give times in; none: UTC."


def time_zone_name(value: str | None) -> None:
    """An IANA zone name the time zone database knows ("Asia/Shanghai", "Europe/Hamburg", "UTC")."""
    if value is None:
        return
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Not a time zone; use an IANA name such as Asia/Shanghai.") from None


class UserCreate(Strict):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    team = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    email = fields.Email(load_default=None, allow_none=True)
    full_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "The language notifications are written in."})
    time_zone = fields.String(load_default=None, allow_none=True, validate=time_zone_name,
                              metadata={"description": TIME_ZONE_HELP})
    account_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "Required for role customer (the portal user's account)."})

    @validates_schema
    def _portal_binding(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("role") == "customer" and not data.get("account_id"):
            raise ValidationError("Required for role customer.", "account_id")


class UserUpdate(Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    region = fields.String(allow_none=True, validate=validate.Length(max=50))
    team = fields.String(allow_none=True, validate=validate.Length(max=50))
    email = fields.Email(allow_none=True)
    full_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    language = fields.String(allow_none=True, validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "The language notifications are written in."})
    time_zone = fields.String(allow_none=True, validate=time_zone_name, metadata={"description": TIME_ZONE_HELP})
    account_id = fields.UUID(allow_none=True)
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=PASSWORD)
    successor_id = fields.UUID(metadata={"description": "With active=false: who takes over this user's "
                                                        "leads and accounts."})

    @validates_schema
    def _successor_only_on_deactivation(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("successor_id") and data.get("active") is not False:
            raise ValidationError("Only with active=false.", "successor_id")


class UserOut(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)
    region = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True)


class UserListQuery(ListQuery):
    role = fields.String(validate=validate.OneOf(ROLES))
    region = fields.String()
    team = fields.String()
    active = fields.Boolean()


UserPage = page_of(UserOut, "UserPage")


class MeOut(Schema):
    kind = fields.String(required=True, metadata={"description": "user or api_key"})
    id = fields.String(required=True)
    username = fields.String(required=True)
    role = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)
    scopes = fields.List(fields.String())


class ApiKeyCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROLES),
                         metadata={"description": "Role the integration acts with; none for a scope-only key."})
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), load_default=list)

    @validates_schema
    def _grants_something(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("role") and not data.get("scopes"):
            raise ValidationError("Give the key a role, scopes or both.", "role")


class ApiKeyOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "Identifies the key; not a secret."})
    role = fields.String(allow_none=True)
    scopes = fields.List(fields.String(), required=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)


class ApiKeyCreatedOut(ApiKeyOut):
    key = fields.String(required=True, metadata={"description": "The key itself, shown this once only."})


class ApiKeyListQuery(ListQuery):
    revoked = fields.Boolean()


ApiKeyPage = page_of(ApiKeyOut, "ApiKeyPage")


class TmsAcceptedOut(Schema):
    event_id = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "The routing key it was published with."})
    status = fields.String(required=True, metadata={"example": "accepted"})
