"""Gateway settings: environment variables with working defaults, overridable per app (tests)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from crm_contracts import config

MIB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def defaults() -> dict[str, Any]:
    """Flask config keys read by the gateway, resolved from the environment now."""
    return {
        "DATABASE_URL": config.database_url("gateway"),
        "AMQP_URI": config.amqp_uri(),
        "IDENTITY_SECRET": config.identity_secret(),
        # Access/refresh tokens may use their own secret; by default the shared one (audiences differ).
        "JWT_SECRET": os.environ.get("CRM_JWT_SECRET") or config.identity_secret(),
        "ACCESS_TOKEN_SECONDS": _env_int("CRM_ACCESS_TOKEN_SECONDS", 15 * 60),
        "REFRESH_TOKEN_SECONDS": _env_int("CRM_REFRESH_TOKEN_SECONDS", 7 * 24 * 3600),
        "CRM_RPC_TIMEOUT": config.rpc_timeout(),
        "RPC_POOL_SIZE": _env_int("CRM_RPC_POOL_SIZE", 32),
        "READY_TIMEOUT": _env_float("CRM_READY_TIMEOUT", 2.0),
        "MAX_CONTENT_LENGTH": _env_int("CRM_MAX_BODY_BYTES", MIB),
        "RATELIMIT_STORAGE_URI": os.environ.get("CRM_RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("CRM_LOGIN_RATE_LIMIT", "10 per minute"),
        "TRUSTED_PROXIES": _env_int("CRM_TRUSTED_PROXIES", 0),
        "OUTBOX_RELAY": os.environ.get("CRM_GATEWAY_OUTBOX_RELAY", "1") != "0",
        "OUTBOX_INTERVAL": _env_float("CRM_GATEWAY_OUTBOX_INTERVAL", 1.0),
        "IDEMPOTENCY_TTL_SECONDS": _env_int("CRM_IDEMPOTENCY_TTL_SECONDS", 24 * 3600),
        # A claimed key whose request never finished (crashed worker) may be taken over after this.
        "IDEMPOTENCY_LOCK_SECONDS": _env_int("CRM_IDEMPOTENCY_LOCK_SECONDS", 120),
        # How often (per process and account) a portal user's account is checked for a merge.
        "PORTAL_ACCOUNT_CHECK_SECONDS": _env_float("CRM_PORTAL_ACCOUNT_CHECK_SECONDS", 30.0),
        "LOG_LEVEL": os.environ.get("CRM_LOG_LEVEL", "INFO"),
        # flask-smorest / OpenAPI
        "API_TITLE": "Logistics CRM API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        # No call to the public validator service: the docs page works offline.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "persistAuthorization": True},
        "JSON_SORT_KEYS": False,
    }


def resolve(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = defaults()
    merged.update(overrides or {})
    return merged
