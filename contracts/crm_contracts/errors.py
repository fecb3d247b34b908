"""Errors defined once and typed across the bus.

Every class is registered with nameko's ``deserialize_to_instance`` so an RPC caller gets the same
class back (with its arguments) instead of a ``RemoteError``; the gateway maps them to HTTP statuses.
"""

from __future__ import annotations

from typing import Any

from nameko.exceptions import deserialize_to_instance


class CrmError(Exception):
    """Base of the domain errors that cross the bus."""

    status = 500
    title = "Error"

    def __init__(self, detail: str = "", extra: dict[str, Any] | None = None, **fields: Any) -> None:
        # Positional (detail, extra) is the shape nameko rebuilds the error from on the caller's side.
        merged = {**(extra or {}), **fields}
        super().__init__(detail, merged)
        self.detail = detail
        self.extra = merged

    def __str__(self) -> str:
        return self.detail or self.title


@deserialize_to_instance
class NotFound(CrmError):
    status, title = 404, "Not Found"


@deserialize_to_instance
class Forbidden(CrmError):
    status, title = 403, "Forbidden"


@deserialize_to_instance
class Conflict(CrmError):
    status, title = 409, "Conflict"


@deserialize_to_instance
class Gone(CrmError):
    status, title = 410, "Gone"


@deserialize_to_instance
class PreconditionFailed(CrmError):
    status, title = 412, "Precondition Failed"


@deserialize_to_instance
class Unauthenticated(CrmError):
    status, title = 401, "Unauthorized"


@deserialize_to_instance
class ValidationFailed(CrmError):
    """Well-formed but invalid input; ``errors`` maps field names to messages."""

    status, title = 422, "Unprocessable Content"

    def __init__(
        self, detail: str = "", extra: dict[str, Any] | None = None, errors: dict[str, Any] | None = None
    ) -> None:
        merged = dict(extra or {})
        if errors is not None:
            merged["errors"] = errors
        merged.setdefault("errors", {})
        super().__init__(detail or "The request has invalid fields.", merged)
        self.errors = merged["errors"]


EXPECTED: tuple[type[CrmError], ...] = (
    NotFound,
    Forbidden,
    Conflict,
    Gone,
    PreconditionFailed,
    Unauthenticated,
    ValidationFailed,
)
