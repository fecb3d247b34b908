"""The REST API gateway of the logistics CRM: auth, users and API keys, REST → nameko RPC, OpenAPI."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

# nameko imports eventlet, which warns about its own deprecation; the gateway never runs eventlet
# (gunicorn gthread workers, plain threads), so the warning only adds noise to every command.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

if TYPE_CHECKING:
    from flask import Flask


def create_app(*args: Any, **kwargs: Any) -> Flask:
    """See ``crm_gateway.app.create_app`` (imported lazily so the CLI starts fast)."""
    from .app import create_app as factory

    return factory(*args, **kwargs)
