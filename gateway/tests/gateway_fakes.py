"""Recording fakes for the process edges: RPC to the services, and publishing to RabbitMQ."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    service: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    identity_token: str | None


@dataclass
class RecordingRpc:
    """Records every call; answers with canned values, callables, or raises given errors."""

    answers: dict[str, Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    broker_error: Exception | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, target: str, value: Any = None, *, raises: BaseException | None = None) -> None:
        """``target`` is ``"service.method"``; ``value`` may be a callable of the call's arguments."""
        self.answers[target] = raises if raises is not None else value

    def calls_to(self, target: str) -> list[Call]:
        return [c for c in self.calls if f"{c.service}.{c.method}" == target]

    @contextmanager
    def client(self, identity_token: str | None, *, request_id: str | None = None,
               timeout: float | None = None) -> Iterator[Any]:
        yield _Cluster(self, identity_token)

    def ping(self, timeout: float) -> None:
        if self.broker_error is not None:
            raise self.broker_error

    def _call(self, service: str, method: str, token: str | None, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append(Call(service, method, args, kwargs, token))
        answer = self.answers.get(f"{service}.{method}")
        if isinstance(answer, BaseException):
            raise answer
        return answer(*args, **kwargs) if callable(answer) else answer


class _Cluster:
    def __init__(self, rpc: RecordingRpc, token: str | None) -> None:
        self._rpc, self._token = rpc, token

    def __getattr__(self, service: str) -> _Service:
        return _Service(self._rpc, service, self._token)

    def __getitem__(self, service: str) -> _Service:
        return _Service(self._rpc, service, self._token)


class _Service:
    def __init__(self, rpc: RecordingRpc, service: str, token: str | None) -> None:
        self._rpc, self._service, self._token = rpc, service, token

    def __getattr__(self, method: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._rpc._call(self._service, method, self._token, args, kwargs)

        def call_async(*args: Any, **kwargs: Any) -> _Reply:
            try:
                return _Reply(value=call(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - raised by result(), as nameko's reply does
                return _Reply(error=exc)

        call.call_async = call_async  # type: ignore[attr-defined]
        return call


@dataclass
class _Reply:
    value: Any = None
    error: Exception | None = None

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass
class RecordingTmsPublisher:
    published: list[tuple[str, Any]] = field(default_factory=list)
    error: Exception | None = None
    closed: int = 0

    def publish_raw(self, routing_key: str, body: Any) -> None:
        if self.error is not None:
            raise self.error
        self.published.append((routing_key, body))

    def close(self) -> None:
        self.closed += 1


@dataclass
class RecordingPublish:
    """Stands in for ConfirmingPublisher: (exchange, routing_key, body, event_id)."""

    sent: list[tuple[str, str, str, str]] = field(default_factory=list)

    def __call__(self, exchange: str, routing_key: str, body: str, event_id: str) -> None:
        self.sent.append((exchange, routing_key, body, event_id))
