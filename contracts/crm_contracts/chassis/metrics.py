"""Prometheus metrics of a service process, and the dependency that records every entrypoint."""

from __future__ import annotations

import time
from typing import Any

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram

CALLS = Counter("crm_entrypoint_calls_total", "Entrypoint calls", ["service", "entrypoint", "outcome"])
LATENCY = Histogram("crm_entrypoint_seconds", "Entrypoint latency", ["service", "entrypoint"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS = Counter("crm_events_handled_total", "Events handled", ["service", "event", "outcome"])
PARKED = Counter("crm_messages_parked_total", "Messages parked in a dead-letter queue", ["queue", "reason"])
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Outbox rows not yet published", ["service"])
DLQ_DEPTH = Gauge("crm_dlq_depth", "Messages waiting in a dead-letter queue", ["queue"])


class Metrics(DependencyProvider):
    """Times and counts every worker of the container (RPC, events, timers, HTTP)."""

    def __init__(self) -> None:
        self._started: dict[Any, float] = {}

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        service, name = self.container.service_name, worker_ctx.entrypoint.method_name
        outcome = "ok" if exc_info is None else type(exc_info[1]).__name__
        CALLS.labels(service, name, outcome).inc()
        if started is not None:
            LATENCY.labels(service, name).observe(time.perf_counter() - started)

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._started.pop(worker_ctx, None)
