"""The caller's in-app inbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.notifications import NotificationListQuery, NotificationOut, NotificationPage

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("notifications", __name__, description="In-app notifications")


@blp.operation("GET", "/notifications", query=NotificationListQuery, response=NotificationPage)
def list_notifications(rpc: Any, query: dict[str, Any]) -> Any:
    """The caller's notifications; `?unread=true` for the unread ones."""
    return rpc.notify.list_notifications(query)


@blp.operation("POST", "/notifications/<uuid:notification_id>/read", response=NotificationOut)
def mark_notification_read(rpc: Any, notification_id: UUID) -> Any:
    """Mark one notification read."""
    return rpc.notify.mark_read(str(notification_id))
