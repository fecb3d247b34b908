"""HTTP ingest of TMS events: validate with the contract's event schema, publish to ``tms.events``.

The routing key comes from the body field ``type`` or the ``X-Event-Type`` header (both may be
given when they agree). The body is checked by the same ``crm_contracts.events.tms`` class the
consumers use, with unknown fields refused, and published in its normalised JSON form.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from crm_contracts import jsonio
from crm_contracts.errors import ValidationFailed
from crm_contracts.events.base import Event
from crm_contracts.tms.publisher import BY_ROUTING_KEY, TmsPublisher
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .problems import flatten

TYPE_HEADER = "X-Event-Type"


class RawPublisher(Protocol):
    def publish_raw(self, routing_key: str, body: dict[str, Any] | str | bytes) -> None: ...

    def close(self) -> None: ...


def doc_schema(routing_key: str) -> type[Schema]:
    """The event's fields plus ``type``, for the OpenAPI document (built from the contract class)."""
    event_cls = BY_ROUTING_KEY[routing_key]
    declared = {name: field for name, field in event_cls._declared_fields.items()}
    declared["type"] = fields.String(validate=validate.OneOf([routing_key]),
                                     metadata={"description": f"'{routing_key}', or send header {TYPE_HEADER}."})
    name = "Tms" + "".join(part.title() for part in routing_key.replace(".", "_").split("_")) + "In"
    return Schema.from_dict(declared, name=name)


def request_body_doc() -> dict[str, Any]:
    schemas = {key: doc_schema(key) for key in BY_ROUTING_KEY}
    return {
        "required": True,
        "description": f"One TMS event; its routing key as field `type` or header `{TYPE_HEADER}`.",
        "content": {"application/json": {"schema": {"oneOf": [s for s in schemas.values()]}}},
    }


def routing_key_for(body: Any, header: str | None) -> str:
    named = body.get("type") if isinstance(body, dict) else None
    if named is not None and header is not None and named != header:
        raise ValidationFailed(errors={"type": [f"Differs from the {TYPE_HEADER} header."]})
    key = named if named is not None else header
    if key is None:
        raise ValidationFailed(errors={"type": [f"Missing: send field type or header {TYPE_HEADER}."]})
    if key not in BY_ROUTING_KEY:
        raise ValidationFailed(errors={"type": [f"Must be one of: {', '.join(BY_ROUTING_KEY)}."]})
    return key


def validate_event(routing_key: str, body: dict[str, Any]) -> dict[str, Any]:
    """The normalised JSON body, or ``ValidationFailed`` with per-field messages."""
    event_cls: type[Event] = BY_ROUTING_KEY[routing_key]
    schema = event_cls(unknown=RAISE)
    payload = {k: v for k, v in body.items() if k != "type"}
    try:
        loaded = schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed(errors=flatten(exc.messages)) from None
    return jsonio.to_jsonable(schema.dump(loaded))


class TmsIngest:
    """One publisher per process behind a lock: pika's blocking connection is not thread-safe."""

    def __init__(self, publisher: RawPublisher | None = None, amqp_uri: str | None = None) -> None:
        self._publisher = publisher
        self._amqp_uri = amqp_uri
        self._lock = threading.Lock()

    def publish(self, routing_key: str, body: dict[str, Any]) -> None:
        with self._lock:
            if self._publisher is None:
                self._publisher = TmsPublisher(self._amqp_uri or "")
            try:
                self._publisher.publish_raw(routing_key, body)
            except Exception:
                self._publisher.close()  # reconnect on the next event
                raise
