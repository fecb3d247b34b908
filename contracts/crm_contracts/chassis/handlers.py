"""``@handles(Event)``: an event handler with validation, bounded retries and a dead-letter queue.

nameko's own handler acks and forgets a failed message (or requeues it forever). Here a body that
fails its schema is parked at once with the reason; a handler error is retried a bounded number of
times with back-off, then parked in ``<queue>.dlq`` where ``crm-bus dlq`` can show and replay it.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from functools import partial
from typing import Any

import eventlet
from kombu import Exchange, Queue
from marshmallow import ValidationError
from nameko.events import EventHandler, EventHandlerConfigurationError

from .. import config
from ..bus import subscriptions
from ..bus.names import DLX, queue_arguments
from ..errors import CrmError
from ..events.base import Event, parse
from . import metrics
from .publisher import ConfirmingPublisher

log = logging.getLogger(__name__)
ATTEMPT_HEADER = "x-crm-delivery"
_publishers: dict[str, ConfirmingPublisher] = {}


def _publisher(amqp_uri: str) -> ConfirmingPublisher:
    if amqp_uri not in _publishers:
        _publishers[amqp_uri] = ConfirmingPublisher(amqp_uri)
    return _publishers[amqp_uri]


class ReliableEventHandler(EventHandler):
    def __init__(self, event_cls: type[Event], max_attempts: int | None = None, **kwargs: Any) -> None:
        self.event_cls = event_cls
        self.max_attempts = max_attempts or config.max_delivery_attempts()
        super().__init__(event_cls.source, event_cls.routing_key, **kwargs)

    def setup(self) -> None:
        service = self.container.service_name
        if subscriptions.find(service, self.method_name, self.event_cls) is None:
            raise EventHandlerConfigurationError(
                f"{service}.{self.method_name} handles {self.event_cls.routing_key} but is not listed in "
                "crm_contracts.bus.subscriptions; add it there so 'crm-bus setup' declares its queue")
        super().setup()
        name = self.queue.name
        # Same name and binding as nameko's, plus the dead-letter arguments 'crm-bus setup' declares.
        self.queue = Queue(name, exchange=self.queue.exchange, routing_key=self.event_type, durable=True,
                           auto_delete=False, queue_arguments=queue_arguments(name))
        self.amqp_uri = self.container.config.get("AMQP_URI") or config.amqp_uri()

    def handle_message(self, body: Any, message: Any) -> None:
        try:
            event = parse(self.event_cls, body)
        except ValidationError as exc:
            self._park(message, "invalid", json.dumps(exc.messages, default=str))
            return
        context_data = self.unpack_message_headers(message)
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(self, (event,), {}, context_data=context_data,
                                        handle_result=handle_result)
        except Exception:  # ContainerBeingKilled: give the message back to the broker
            self.queue_consumer.requeue_message(message)

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        service = self.container.service_name
        if exc_info is None:
            metrics.EVENTS.labels(service, self.event_type, "ok").inc()
            self.queue_consumer.ack_message(message)
            return
        exc = exc_info[1]
        attempts = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if isinstance(exc, CrmError) or attempts >= self.max_attempts:
            # A domain error will not go away by retrying; anything else gets max_attempts tries.
            self._park(message, "rejected" if isinstance(exc, CrmError) else "failed", error, attempts)
            return
        metrics.EVENTS.labels(service, self.event_type, "retried").inc()
        log.warning("event %s failed (attempt %s/%s), retrying: %s", self.event_type, attempts,
                    self.max_attempts, error)
        eventlet.sleep(min(0.2 * 2 ** attempts, 5))
        headers = {**(message.headers or {}), ATTEMPT_HEADER: attempts}
        try:
            _publisher(self.amqp_uri).send("", self.queue.name, message.body, headers=headers,
                                           message_id=message.properties.get("message_id"))
        except Exception:  # noqa: BLE001 - could not re-queue: let the broker redeliver the original
            log.exception("could not re-queue %s; returning it to the broker", self.event_type)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _park(self, message: Any, reason: str, error: str, attempts: int = 1) -> None:
        queue = self.queue.name
        headers = {
            **(message.headers or {}),
            "x-crm-reason": reason,
            "x-crm-error": error[:4000],
            "x-crm-attempts": attempts,
            "x-crm-queue": queue,
            "x-crm-parked-at": datetime.now(UTC).isoformat(),
        }
        metrics.PARKED.labels(queue, reason).inc()
        metrics.EVENTS.labels(self.container.service_name, self.event_type, "parked").inc()
        log.error("parking %s from %s (%s): %s", self.event_type, queue, reason, error[:500])
        try:
            dlx = Exchange(DLX, type="direct", durable=True)
            _publisher(self.amqp_uri).send(dlx, queue, message.body, headers=headers,
                                           message_id=message.properties.get("message_id"))
        except Exception:  # noqa: BLE001 - the broker's own dead-lettering is the fallback
            log.exception("could not publish to the dead-letter exchange; rejecting instead")
            message.reject(requeue=False)
            return
        self.queue_consumer.ack_message(message)


handles = ReliableEventHandler.decorator
