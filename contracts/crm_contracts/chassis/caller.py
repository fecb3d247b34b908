"""The ``Caller`` dependency: who is calling, verified from the gateway's signed identity."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from .. import config
from ..identity import CONTEXT_KEY, Identity, verify


class CallerAccess:
    def __init__(self, token: Any, secret: str) -> None:
        self._token = token
        self._secret = secret
        self._identity: Identity | None = None

    def require(self) -> Identity:
        """The verified identity, or ``Unauthenticated`` (checked when called, never in the hook)."""
        if self._identity is None:
            self._identity = verify(self._token, self._secret)
        return self._identity


class Caller(DependencyProvider):
    def setup(self) -> None:
        self.secret = self.container.config.get("IDENTITY_SECRET") or config.identity_secret()

    def get_dependency(self, worker_ctx: Any) -> CallerAccess:
        return CallerAccess(worker_ctx.data.get(CONTEXT_KEY), self.secret)
