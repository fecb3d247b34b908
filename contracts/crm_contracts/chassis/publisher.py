"""Publishing to RabbitMQ with publisher confirms (kombu): the outbox relay's only way out."""

from __future__ import annotations

import contextlib
import threading

from kombu import Connection, Exchange, Producer


class ConfirmingPublisher:
    """Publishes JSON bodies to topic exchanges and returns once the broker confirmed them.

    One connection per publisher, guarded by a lock; callers are the relay loop of one process.
    """

    def __init__(self, amqp_uri: str) -> None:
        self._uri = amqp_uri
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._exchanges: dict[str, Exchange] = {}

    def _ensure(self) -> Producer:
        if self._producer is None:
            self._connection = Connection(self._uri, transport_options={"confirm_publish": True})
            self._producer = Producer(self._connection.channel())
        return self._producer

    def _exchange(self, name: str) -> Exchange:
        if name not in self._exchanges:
            # Exactly nameko's event exchange, so declaring it here never clashes with a consumer's.
            self._exchanges[name] = Exchange(name, type="topic", durable=True, auto_delete=False,
                                             delivery_mode="persistent")
        return self._exchanges[name]

    def __call__(self, exchange: str, routing_key: str, body: str, event_id: str) -> None:
        """Publish one outbox row to its topic exchange (the outbox relay's ``Publish``)."""
        target = self._exchange(exchange)
        self.send(target, routing_key, body, headers={"event_id": event_id}, message_id=event_id,
                  declare=[target])

    def send(self, exchange: Exchange | str, routing_key: str, body: str | bytes, *,
             headers: dict | None = None, message_id: str | None = None,
             declare: list | None = None) -> None:
        """Publish a JSON body to any exchange ("" is the default exchange, i.e. straight to a queue)."""
        with self._lock:
            try:
                self._ensure().publish(
                    body,
                    exchange=exchange,
                    declare=declare or [],
                    routing_key=routing_key,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message_id,
                    headers=headers or {},
                )
            except Exception:
                self.close()  # reconnect on the next call
                raise

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail again
                self._connection.release()
        self._connection = self._producer = None
        self._exchanges.clear()
