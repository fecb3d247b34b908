"""Parked messages: list them and replay them onto their original queue (operator tools)."""

from __future__ import annotations

from dataclasses import dataclass

import pika

from . import subscriptions
from .names import dead_letter_queue

PARK_HEADERS = ("x-crm-reason", "x-crm-error", "x-crm-attempts", "x-crm-queue", "x-crm-parked-at")


@dataclass
class Parked:
    queue: str
    reason: str
    error: str
    routing_key: str
    body: str


def _connect(amqp_uri: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(amqp_uri))


def depths(amqp_uri: str) -> dict[str, int]:
    """Messages waiting in each dead-letter queue, keyed by the consumer queue they came from."""
    connection = _connect(amqp_uri)
    try:
        channel = connection.channel()
        result = {}
        for sub in subscriptions.SUBSCRIPTIONS:
            frame = channel.queue_declare(dead_letter_queue(sub.queue), passive=True)
            result[sub.queue] = frame.method.message_count
        return result
    finally:
        connection.close()


def peek(amqp_uri: str, queue: str, limit: int = 20) -> list[Parked]:
    """Read up to ``limit`` parked messages of ``queue`` without removing them."""
    connection = _connect(amqp_uri)
    try:
        channel = connection.channel()
        seen = []
        for _ in range(limit):
            method, props, body = channel.basic_get(dead_letter_queue(queue), auto_ack=False)
            if method is None:
                break
            headers = props.headers or {}
            seen.append(Parked(
                queue=queue,
                reason=str(headers.get("x-crm-reason", "rejected")),
                error=str(headers.get("x-crm-error", "")),
                routing_key=method.routing_key,
                body=body.decode("utf-8", "replace"),
            ))
        return seen  # closing the channel without acks puts them all back
    finally:
        connection.close()


def replay(amqp_uri: str, queue: str, limit: int | None = None) -> int:
    """Move parked messages back onto ``queue`` with a fresh attempt count; returns how many."""
    connection = _connect(amqp_uri)
    moved = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        while limit is None or moved < limit:
            method, props, body = channel.basic_get(dead_letter_queue(queue), auto_ack=False)
            if method is None:
                break
            headers = {k: v for k, v in (props.headers or {}).items()
                       if k not in PARK_HEADERS and k != "x-death" and k != "x-crm-delivery"}
            channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=body,
                properties=pika.BasicProperties(
                    content_type=props.content_type or "application/json",
                    content_encoding=props.content_encoding,
                    delivery_mode=2,
                    headers=headers,
                    message_id=props.message_id,
                ),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            moved += 1
        return moved
    finally:
        connection.close()
