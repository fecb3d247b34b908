"""Liveness, readiness and metrics (outside /api/v1 and the OpenAPI document)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from crm_contracts.config import SERVICES
from flask import Blueprint, Response, current_app, jsonify

from .. import problems
from ..observability import metrics_response
from ..rpc import rpc_client
from ..runtime import runtime

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz() -> Response:
    """The process is up; checks nothing else, so a broker outage never restarts the gateway."""
    return jsonify(status="ok")


def _service_health(app: Any, service: str, timeout: float) -> dict[str, Any]:
    with app.app_context(), rpc_client(None, timeout=timeout) as rpc:
        return rpc[service].health()


@blp.get("/readyz")
def readyz() -> Response:
    """Ready when the broker accepts a connection and every service answers ``health()`` in time."""
    timeout = current_app.config["READY_TIMEOUT"]
    try:
        runtime().rpc.ping(timeout)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported below
        failed = {"broker": str(exc) or type(exc).__name__}
        return problems.problem(503, "The message broker is unreachable.", extensions={"failed": failed})
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    answers: dict[str, Any] = {}
    failed: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        futures = {name: pool.submit(_service_health, app, name, timeout) for name in SERVICES}
        for name, future in futures.items():
            try:
                answers[name] = future.result()
            except Exception as exc:  # noqa: BLE001 - collected per service
                failed[name] = f"{type(exc).__name__}: {exc}"
    if failed:
        return problems.problem(503, f"Not ready: {', '.join(sorted(failed))} did not answer.",
                                extensions={"failed": failed, "services": answers})
    return jsonify(status="ready", services=answers)


@blp.get("/metrics")
def metrics() -> Response:
    return metrics_response()
