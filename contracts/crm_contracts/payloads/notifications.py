"""The in-app inbox."""

from __future__ import annotations

from marshmallow import fields

from .common import ListQuery, Strict, page_of


class NotificationOut(Strict):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    read_at = fields.String(allow_none=True)


class NotificationListQuery(ListQuery):
    unread = fields.Boolean()


NotificationPage = page_of(NotificationOut, "NotificationPage")
