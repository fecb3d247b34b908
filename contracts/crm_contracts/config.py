"""Configuration from environment variables, with working defaults for one machine."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
SERVICES = ("customer", "sales", "service_desk", "notify", "analytics")
# Development default only: deployments set CRM_IDENTITY_SECRET / CRM_JWT_SECRET.
DEFAULT_SECRET = "crm-dev-secret-change-me-0123456789abcdef"


def amqp_uri() -> str:
    return os.environ.get("CRM_AMQP_URI", DEFAULT_AMQP_URI)


def var_dir() -> Path:
    return Path(os.environ.get("CRM_VAR_DIR", "var")).resolve()


def database_url(component: str) -> str:
    """``CRM_<COMPONENT>_DATABASE_URL`` or a SQLite file under ``./var``."""
    env = f"CRM_{component.upper()}_DATABASE_URL"
    if os.environ.get(env):
        return os.environ[env]
    return f"sqlite:///{var_dir() / (component + '.db')}"


def identity_secret() -> str:
    return os.environ.get("CRM_IDENTITY_SECRET") or os.environ.get("CRM_JWT_SECRET") or DEFAULT_SECRET


def rpc_timeout() -> float:
    return float(os.environ.get("CRM_RPC_TIMEOUT", "10"))


def max_delivery_attempts() -> int:
    return int(os.environ.get("CRM_MAX_DELIVERY_ATTEMPTS", "5"))


def timer_seconds(name: str, default: float) -> float:
    """A timer's interval, ``CRM_<NAME>_SECONDS``: read when the service class is defined, so a test
    system can make a minute-long reminder sweep run every second."""
    return float(os.environ.get(f"CRM_{name.upper()}_SECONDS", default))
