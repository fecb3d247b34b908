"""RPC input validation: marshmallow errors become ``ValidationFailed`` (422 at the gateway)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from crm_contracts.errors import ValidationFailed


def load(schema: type[Schema], payload: Any) -> dict[str, Any]:
    try:
        return schema().load(payload if payload is not None else {})
    except ValidationError as exc:
        raise ValidationFailed(errors=exc.messages) from None
