"""The Flask app factory: conventions wired once, then the resource blueprints."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from crm_contracts import config, jsonio
from crm_contracts.chassis.outbox import Publish
from crm_contracts.chassis.publisher import ConfirmingPublisher
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from . import docs, observability, problems, settings
from .api import BLUEPRINTS, ops
from .api.auth import login_rate_key
from .idempotency import IdempotencyStore
from .relay import OutboxRelay
from .rpc import RpcClients, RpcPool
from .runtime import EXTENSION, Runtime
from .security import Tokens
from .store.db import Database
from .store.models import OUTBOX
from .tms_ingest import RawPublisher, TmsIngest

log = logging.getLogger(__name__)


class JsonProvider(DefaultJSONProvider):
    """Decimal as a string, aware datetimes as RFC 3339 UTC: the API's JSON rules."""

    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        converted = jsonio.to_jsonable(o)
        if converted is o:
            return DefaultJSONProvider.default(o)
        return converted


def _limit_logins(app: Flask) -> None:
    limiter = Limiter(login_rate_key, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      headers_enabled=True, strategy="moving-window")
    # Only failed sign-ins count, so a user who types the password right is never locked out.
    limit = limiter.limit(app.config["LOGIN_RATE_LIMIT"], key_func=login_rate_key,
                          deduct_when=lambda response: response.status_code == 401,
                          error_message="Too many failed sign-ins for this user from this address; retry later.")
    app.view_functions["auth.login"] = limit(app.view_functions["auth.login"])


def create_app(config_overrides: Mapping[str, Any] | None = None, *, rpc: RpcClients | None = None,
               tms_publisher: RawPublisher | None = None, event_publisher: Publish | None = None) -> Flask:
    """Build the gateway. ``rpc``, ``tms_publisher`` and ``event_publisher`` replace the process edges
    (RabbitMQ) in tests; by default they connect lazily to ``AMQP_URI``."""
    app = Flask("crm_gateway")
    app.config.update(settings.resolve(config_overrides))
    app.json = JsonProvider(app)
    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    observability.init_app(app)  # first: every later hook and error sees the request id
    if app.config["JWT_SECRET"] == config.DEFAULT_SECRET and not app.config.get("TESTING"):
        log.warning("CRM_JWT_SECRET is not set: tokens are signed with the development secret")
    problems.init_app(app)

    relay_publish = event_publisher or ConfirmingPublisher(app.config["AMQP_URI"])
    db = Database(app.config["DATABASE_URL"])
    relay = OutboxRelay(db.session_factory, OUTBOX, relay_publish, interval=app.config["OUTBOX_INTERVAL"],
                        enabled=app.config["OUTBOX_RELAY"])
    db.on_outbox_commit = relay.kick
    app.extensions[EXTENSION] = Runtime(
        db=db,
        rpc=rpc or RpcPool(app.config["AMQP_URI"], app.config["CRM_RPC_TIMEOUT"], app.config["RPC_POOL_SIZE"]),
        tokens=Tokens(app.config["JWT_SECRET"], app.config["ACCESS_TOKEN_SECONDS"],
                      app.config["REFRESH_TOKEN_SECONDS"]),
        relay=relay,
        tms=TmsIngest(tms_publisher, app.config["AMQP_URI"]),
        idempotency=IdempotencyStore(db, app.config["IDEMPOTENCY_TTL_SECONDS"],
                                     app.config["IDEMPOTENCY_LOCK_SECONDS"]),
    )

    api = docs.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(ops.blp)
    _limit_logins(app)
    relay.start()  # publishes events left unsent by an earlier process
    return app
