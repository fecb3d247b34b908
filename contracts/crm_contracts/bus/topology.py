"""Declare the whole bus up front, so no event published before a consumer's first start is lost."""

from __future__ import annotations

import pika

from ..events import REGISTRY
from . import subscriptions
from .names import DLX, dead_letter_queue, event_exchange, queue_arguments

PUBLISHERS = ("customer", "sales", "service_desk", "notify", "analytics", "gateway", "tms")


def declare(channel: pika.adapters.blocking_connection.BlockingChannel) -> dict[str, int]:
    """Declare exchanges, consumer queues with their dead-letter queues, and bindings. Idempotent."""
    sources = sorted(set(PUBLISHERS) | {source for source, _ in REGISTRY})
    for source in sources:
        # Exactly nameko's declaration; other arguments would make the broker refuse nameko's redeclare.
        channel.exchange_declare(event_exchange(source), "topic", durable=True, auto_delete=False)
    channel.exchange_declare(DLX, "direct", durable=True, auto_delete=False)
    for sub in subscriptions.SUBSCRIPTIONS:
        queue = sub.queue
        channel.queue_declare(queue, durable=True, arguments=queue_arguments(queue))
        channel.queue_bind(queue, event_exchange(sub.event.source), routing_key=sub.event.routing_key)
        dlq = dead_letter_queue(queue)
        channel.queue_declare(dlq, durable=True)
        channel.queue_bind(dlq, DLX, routing_key=queue)
    return {"exchanges": len(sources) + 1, "queues": 2 * len(subscriptions.SUBSCRIPTIONS)}


def setup(amqp_uri: str) -> dict[str, int]:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return declare(connection.channel())
    finally:
        connection.close()
