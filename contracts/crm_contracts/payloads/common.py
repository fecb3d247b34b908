"""Building blocks: strict input base, money, pages."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="Use an ISO 4217 code (e.g. CNY).")


class Strict(Schema):
    """Input from outside: unknown fields are an error, never silently stored."""

    class Meta:
        unknown = RAISE


class MoneySchema(Strict):
    amount = fields.Decimal(required=True, as_string=True, places=2)
    currency = fields.String(required=True, validate=CURRENCY)


class ListQuery(Schema):
    """Query string of every list: ``limit``, ``cursor``, ``sort``, ``q``; field filters pass through."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)
    sort = fields.String(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=200))


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A ``{"items": [...], "next_cursor": ...}`` schema for ``item_schema``."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema), required=True),
         "next_cursor": fields.String(allow_none=True, required=True)},
        name=name,
    )
