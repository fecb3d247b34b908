"""A pika publisher for ``tms.events``, declared exactly as nameko consumers expect.

Publishes with confirms and ``mandatory=True`` so an event the broker could not route is an error
the sender sees, never a silent drop.
"""

from __future__ import annotations

from typing import Any

import pika

from .. import jsonio
from ..events.base import Event, build
from ..events.tms import TMS_EVENTS

EXCHANGE = "tms.events"
BY_ROUTING_KEY = {cls.routing_key: cls for cls in TMS_EVENTS}


class UnroutableEvent(RuntimeError):
    """The broker had no queue for the event (run ``crm-bus setup`` first)."""


class TmsPublisher:
    def __init__(self, amqp_uri: str) -> None:
        self._params = pika.URLParameters(amqp_uri)
        self._connection: pika.BlockingConnection | None = None
        self._channel = None

    def __enter__(self) -> TmsPublisher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _ensure_channel(self):
        if self._channel is None or self._channel.is_closed:
            self.close()
            self._connection = pika.BlockingConnection(self._params)
            self._channel = self._connection.channel()
            self._channel.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
            self._channel.confirm_delivery()
        return self._channel

    def publish_raw(self, routing_key: str, body: dict[str, Any] | str | bytes) -> None:
        """Publish a body as it is (already validated by the caller, or deliberately not)."""
        if isinstance(body, dict):
            body = jsonio.dumps(body)
        payload = body.encode("utf-8") if isinstance(body, str) else body
        channel = self._ensure_channel()
        try:
            channel.basic_publish(
                exchange=EXCHANGE,
                routing_key=routing_key,
                body=payload,
                properties=pika.BasicProperties(
                    content_type="application/json", content_encoding="utf-8", delivery_mode=2
                ),
                mandatory=True,
            )
        except pika.exceptions.UnroutableError as exc:
            raise UnroutableEvent(f"no queue is bound for {routing_key}; run 'crm-bus setup'") from exc

    def publish(self, event_cls: type[Event], **body: Any) -> dict[str, Any]:
        """Validate and publish one event; returns the body that was sent."""
        message = build(event_cls, **body)
        self.publish_raw(event_cls.routing_key, message)
        return message

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()
        self._connection = self._channel = None
