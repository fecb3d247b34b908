"""How services call each other: nameko RPC with transient requests and unconfirmed replies.

nameko publishes every RPC request as a persistent message, and the RPC queues are durable, so the
broker writes each request to disk before it confirms it: a few milliseconds on every hop, for nothing.
A request is only useful while its caller waits for the reply, and the caller's reply queue does not
outlive a broker restart either; the caller times out and the gateway answers 503/504 as for any
broker outage. Requests stay mandatory and confirmed, so an unknown service is still reported at once.

Replies go out without a publisher confirm: a confirm cannot make a reply safer (the reply queue is
the caller's own, non-durable one, and a reply lost on the way looks to the caller exactly like a
service that died after its work, which it must handle anyway), yet waiting for it costs the broker
and the service CPU on every call. Entrypoints use ``rpc`` from here, never nameko's: two consumer
classes on one service queue would each take requests meant for the other's methods.
"""

from __future__ import annotations

from typing import Any

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, RpcProxy, ServiceProxy, get_rpc_exchange
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


class _ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = NON_PERSISTENT


class _Responder(Responder):
    publisher_cls = _ReplyPublisher


class _RpcConsumer(RpcConsumer):
    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        config = self.container.config
        responder = _Responder(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                               config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
                               ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class _Rpc(Rpc):
    rpc_consumer = _RpcConsumer()


rpc = _Rpc.decorator
"""The RPC entrypoint of every service: ``@rpc(expected_exceptions=EXPECTED)`` as nameko's."""
