"""The event envelope and the registry of event classes.

An event class is a marshmallow schema with two class attributes: ``source`` (the publishing
service, so the exchange is ``<source>.events``) and ``routing_key`` (``<entity>.<past-tense verb>``).
Producers ``build`` a body (validated by a dump/load round trip); consumers ``parse`` it with
unknown fields excluded, so adding a field is not a breaking change.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..identity import Identity

REGISTRY: dict[tuple[str, str], type[Event]] = {}


class Actor(Schema):
    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(required=True)
    username = fields.String(load_default="")
    role = fields.String(load_default="")


class MoneyAmount(Schema):
    class Meta:
        unknown = EXCLUDE

    amount = fields.Decimal(required=True, as_string=True, places=2)
    currency = fields.String(required=True, validate=validate.Length(equal=3))


class Event(Schema):
    source: ClassVar[str] = ""
    routing_key: ClassVar[str] = ""
    schema_version_current: ClassVar[int] = 1

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    schema_version = fields.Integer(required=True, validate=validate.Range(min=1))
    actor = fields.Nested(Actor, allow_none=True, load_default=None)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.source and cls.routing_key:
            REGISTRY[(cls.source, cls.routing_key)] = cls

    @classmethod
    def exchange(cls) -> str:
        return f"{cls.source}.events"


def build(
    event_cls: type[Event],
    *,
    actor: Identity | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
    **body: Any,
) -> dict[str, Any]:
    """A validated, JSON-ready event body. Raises ``ValidationError`` on a bad body."""
    envelope = {
        "event_id": event_id or uuid.uuid4(),
        "occurred_at": occurred_at or datetime.now(UTC),
        "schema_version": event_cls.schema_version_current,
        "actor": actor.as_actor() if actor else None,
        **body,
    }
    schema = schema_of(event_cls)
    dumped = schema.dump(envelope)
    schema.load(dumped)  # the consumer's view must accept what the producer sends
    return dumped


def parse(event_cls: type[Event], body: Any) -> dict[str, Any]:
    """Load a received body; raises ``ValidationError`` with per-field messages."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["An event body must be a JSON object."]})
    return schema_of(event_cls).load(body)


@functools.cache
def schema_of(event_cls: type[Event]) -> Event:
    """One schema instance per event class: building one deep-copies every field, a cost each message
    paid; marshmallow's load and dump keep no state on the instance, so one instance serves all."""
    return event_cls()


def event_for(source: str, routing_key: str) -> type[Event]:
    return REGISTRY[(source, routing_key)]
