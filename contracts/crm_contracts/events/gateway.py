"""Events the gateway publishes about users (it owns users, roles and API keys)."""

from marshmallow import fields

from .base import Event

LANGUAGES = ("en", "zh")  # the languages notify writes in; users choose one at the gateway


class UserSnapshot(Event):
    user_id = fields.UUID(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)
    email = fields.String(allow_none=True, load_default=None)
    full_name = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    account_id = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(required=True)
    # The language the user reads (e.g. "zh", "en"); optional, so a producer that does not know it yet
    # sends nothing and notify writes in its default language.
    language = fields.String(allow_none=True, load_default=None)
    # The IANA time zone the user lives in (e.g. "Asia/Shanghai"); optional, notify writes UTC without it.
    time_zone = fields.String(allow_none=True, load_default=None)


class UserCreated(UserSnapshot):
    source, routing_key = "gateway", "user.created"


class UserUpdated(UserSnapshot):
    source, routing_key = "gateway", "user.updated"


class UserDeactivated(UserSnapshot):
    source, routing_key = "gateway", "user.deactivated"

    successor_id = fields.String(allow_none=True, load_default=None)
