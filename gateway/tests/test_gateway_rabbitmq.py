"""The real RPC pool against the local RabbitMQ (127.0.0.1:5672): no service → 503, quickly."""

from __future__ import annotations

import time
import uuid

from crm_gateway import create_app
from crm_gateway.endpoint import ApiBlueprint
from crm_gateway.rpc import RpcPool
from gateway_support import bearer, given_user


def test_a_call_to_a_service_that_is_not_running_answers_503_at_once(db_url, amqp_uri):
    service = f"gateway_test_absent_{uuid.uuid4().hex[:12]}"  # nothing else can be consuming it
    blp = ApiBlueprint(f"probe_{service}", __name__, url_prefix="/probe")

    @blp.operation("GET", "/absent")
    def call_absent_service(rpc):
        return rpc[service].health()

    pool = RpcPool(amqp_uri, timeout=5, max_size=2)
    app = create_app({"DATABASE_URL": db_url, "OUTBOX_RELAY": False, "AMQP_URI": amqp_uri}, rpc=pool)
    app.register_blueprint(blp)
    headers = bearer(app, given_user(app, "probe", role="analyst"))
    try:
        started = time.monotonic()
        first = app.test_client().get("/probe/absent", headers=headers)
        second = app.test_client().get("/probe/absent", headers=headers)
        elapsed = time.monotonic() - started

        assert (first.status_code, second.status_code) == (503, 503)
        assert first.mimetype == "application/problem+json"
        assert elapsed < 3, f"took {elapsed:.1f}s"
        assert len(pool._idle) == 1  # the proxy survived UnknownService and was reused
    finally:
        pool.close()
        app.extensions["crm_gateway"].db.dispose()
