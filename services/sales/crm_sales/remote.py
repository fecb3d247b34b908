"""The customer service as the conversion sees it: RPC calls with a deadline, typed errors kept,
and "did not answer" turned into ``RemoteUnavailable`` so the conversion can hold and resume."""

from __future__ import annotations

from typing import Any

import eventlet
from crm_contracts.errors import CrmError

from .conversion import RemoteUnavailable


class CustomerRpc:
    def __init__(self, proxy: Any, timeout: float) -> None:
        self._proxy = proxy
        self._timeout = timeout

    def _call(self, method: str, *args: Any) -> Any:
        try:
            with eventlet.Timeout(self._timeout):
                return getattr(self._proxy, method).call_async(*args).result()
        except CrmError:
            raise
        except eventlet.Timeout:
            raise RemoteUnavailable(f"customer.{method} did not answer within {self._timeout:g}s") from None
        except Exception as exc:  # noqa: BLE001 - UnknownService, connection loss, a remote bug: all "not now"
            raise RemoteUnavailable(f"customer.{method} failed: {exc!r}") from None

    def create_account(self, payload: dict[str, Any], allow_duplicate: bool) -> dict[str, Any]:
        return self._call("create_account", payload, allow_duplicate)

    def get_account(self, account_id: str) -> dict[str, Any]:
        return self._call("get_account", account_id)

    def find_account(self, customer_code: str) -> dict[str, Any] | None:
        page = self._call("list_accounts", {"customer_code": customer_code, "limit": 1})
        return page["items"][0] if page["items"] else None

    def create_contact(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_contact", account_id, payload)
