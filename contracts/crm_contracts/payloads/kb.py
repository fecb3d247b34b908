"""Knowledge base: FAQs, guides and per-customer SOPs, searched with ``?q=``."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of
from .tickets import UUID_STRING

KINDS = ("faq", "guide", "sop")
ARTICLE_STATUSES = ("draft", "published", "archived")
AUDIENCES = ("internal", "public")


class ArticleCreate(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=50000))
    kind = fields.String(load_default="faq", validate=validate.OneOf(KINDS))
    category = fields.String(required=True, validate=validate.Length(min=1, max=50),
                             metadata={"description": "Free category, e.g. a ticket category or `customs`."})
    account_id = fields.String(load_default=None, allow_none=True, validate=UUID_STRING,
                               metadata={"description": "Set for a customer's own SOP."})
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                       validate=validate.Length(max=20))
    audience = fields.String(load_default="internal", validate=validate.OneOf(AUDIENCES),
                             metadata={"description": "`public` articles are shown in the customer portal."})
    status = fields.String(load_default="draft", validate=validate.OneOf(ARTICLE_STATUSES))


class ArticleUpdate(Strict):
    title = fields.String(validate=validate.Length(min=1, max=200))
    body = fields.String(validate=validate.Length(min=1, max=50000))
    kind = fields.String(validate=validate.OneOf(KINDS))
    category = fields.String(validate=validate.Length(min=1, max=50))
    account_id = fields.String(allow_none=True, validate=UUID_STRING)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))
    audience = fields.String(validate=validate.OneOf(AUDIENCES))
    status = fields.String(validate=validate.OneOf(ARTICLE_STATUSES))


class ArticleOut(Strict):
    id = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    account_id = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    audience = fields.String(required=True)
    status = fields.String(required=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)
    score = fields.Float(allow_none=True, metadata={"description": "Relevance, in search and suggestion answers."})


class ArticleListQuery(ListQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    category = fields.String()
    account_id = fields.String(validate=UUID_STRING)
    status = fields.String(validate=validate.OneOf(ARTICLE_STATUSES))
    tag = fields.String()


ArticlePage = page_of(ArticleOut, "ArticlePage")


class SuggestionsOut(Strict):
    items = fields.List(fields.Nested(ArticleOut), required=True)
