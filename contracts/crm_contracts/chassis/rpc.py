"""How services call each other: nameko RPC with transient requests.

nameko publishes every RPC request as a persistent message, and the RPC queues are durable, so the
broker writes each request to disk before it confirms it: a few milliseconds on every hop, for nothing.
A request is only useful while its caller waits for the reply, and the caller's reply queue does not
outlive a broker restart either; the caller times out and the gateway answers 503/504 as for any
broker outage. Requests stay mandatory and confirmed, so an unknown service is still reported at once.
"""

from __future__ import annotations

from typing import Any

from nameko.constants import NON_PERSISTENT
from nameko.rpc import RpcProxy, ServiceProxy
from nameko.standalone import rpc as standalone

OPTIONS: dict[str, Any] = {"delivery_mode": NON_PERSISTENT}


def rpc_proxy(service: str) -> RpcProxy:
    """The dependency a service declares to call ``service``: ``sales = rpc_proxy("sales")``."""
    return RpcProxy(service, **OPTIONS)


class _ClusterProxy(standalone.ClusterProxy):
    def __getattr__(self, name: str) -> ServiceProxy:
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener, **OPTIONS)
        return self._proxies[name]


class ClusterRpcProxy(standalone.ClusterRpcProxy):
    """nameko's standalone proxy (gateway, tools, tests) sending transient requests as ``rpc_proxy`` does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._proxy = _ClusterProxy(self._worker_ctx, self._reply_listener)
