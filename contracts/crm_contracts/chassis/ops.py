"""Health and metrics entrypoints every service gets by inheriting ``Operations``."""

from __future__ import annotations

import json
import logging
from typing import Any

from kombu import Connection
from nameko.timer import timer
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from .. import config
from ..bus import subscriptions
from ..bus.names import dead_letter_queue
from . import metrics
from .rpc import rpc

log = logging.getLogger(__name__)


class Operations:
    """Mixin: ``health`` over RPC and HTTP, ``/metrics``, and a DLQ-depth gauge.

    The service class defines ``name`` and ``db`` (a ``Database`` dependency).
    """

    name: str
    db: Any

    def _health(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        status = "ok"
        try:
            checks.update(self.db.check())
        except Exception as exc:  # noqa: BLE001 - a health check reports, it never raises
            checks["database"] = f"error: {exc}"
            status = "degraded"
        return {"service": self.name, "status": status, "checks": checks}

    @rpc
    def health(self) -> dict[str, Any]:
        return self._health()

    @http("GET", "/health")
    def http_health(self, request: Any) -> Response:
        body = self._health()
        return Response(json.dumps(body), status=200 if body["status"] == "ok" else 503,
                        mimetype="application/json")

    @http("GET", "/metrics")
    def http_metrics(self, request: Any) -> Response:
        # nameko turns raw bytes into a 500, so wrap them in a Response.
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @timer(interval=30)
    def measure_dead_letters(self) -> None:
        queues = [dead_letter_queue(s.queue) for s in subscriptions.for_service(self.name)]
        if not queues:
            return
        try:
            with Connection(config.amqp_uri()) as connection:
                channel = connection.channel()
                for queue in queues:
                    _, depth, _ = channel.queue_declare(queue=queue, passive=True)
                    metrics.DLQ_DEPTH.labels(queue).set(depth)
        except Exception:  # noqa: BLE001 - a missing DLQ means 'crm-bus setup' has not run yet
            log.warning("could not measure dead-letter queues", exc_info=True)
