"""The RPC pool: identity set per checkout and cleared, broken proxies replaced, never shared."""

from __future__ import annotations

import threading

import pytest
from crm_contracts.errors import NotFound
from crm_gateway.rpc import PoolExhausted, RpcPool
from nameko.exceptions import RpcTimeout, UnknownService


class FakeMember:
    """Stands in for a started ClusterRpcProxy: a context dict, a timeout and a stop flag."""

    def __init__(self) -> None:
        self.context: dict[str, str] = {}
        self.proxy = object()
        self.timeout: float | None = None
        self.stopped = False

    def set_timeout(self, timeout: float) -> None:
        self.timeout = timeout

    def stop(self) -> None:
        self.stopped = True


class CountingPool(RpcPool):
    def __init__(self, **kwargs) -> None:
        super().__init__("amqp://unused", **kwargs)
        self.members: list[FakeMember] = []

    def _connect(self) -> FakeMember:  # type: ignore[override]
        member = FakeMember()
        self.members.append(member)
        return member


def test_the_identity_is_set_for_the_call_and_cleared_on_return():
    pool = CountingPool(timeout=5)

    with pool.client("signed-token", request_id="r1") as proxy:
        [member] = pool.members
        seen = dict(member.context)

    assert proxy is member.proxy
    assert seen == {"identity": "signed-token", "request_id": "r1"}
    assert member.context == {}


def test_a_proxy_is_reused_after_an_answer_even_an_error_answer():
    pool = CountingPool(timeout=5)
    with pool.client("a"):
        pass
    with pytest.raises(NotFound), pool.client("b"):
        raise NotFound("x")
    with pytest.raises(UnknownService), pool.client("c"):
        raise UnknownService("nobody")

    with pool.client("d"):
        pass

    assert len(pool.members) == 1 and not pool.members[0].stopped


@pytest.mark.parametrize("error", [RpcTimeout(1), ConnectionResetError("gone"), RuntimeError("disconnected")])
def test_a_proxy_that_timed_out_or_lost_its_connection_is_discarded(error):
    pool = CountingPool(timeout=5)
    with pytest.raises(type(error)), pool.client("a"):
        raise error

    with pool.client("b"):
        pass

    first, second = pool.members
    assert first.stopped and not second.stopped


def test_concurrent_requests_never_share_a_proxy_and_the_pool_is_bounded():
    pool = CountingPool(timeout=0.2, max_size=2)
    inside, release = threading.Barrier(3), threading.Event()
    used: list[object] = []

    def borrow() -> None:
        with pool.client("t") as proxy:
            used.append(proxy)
            inside.wait(5)
            release.wait(5)

    threads = [threading.Thread(target=borrow) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait(5)
    with pytest.raises(PoolExhausted), pool.client("third"):
        pass
    release.set()
    for thread in threads:
        thread.join(5)

    assert len(set(map(id, used))) == 2 and len(pool.members) == 2


def test_a_per_call_timeout_overrides_the_default_for_that_checkout_only():
    pool = CountingPool(timeout=10)
    with pool.client(None, timeout=1.5):
        short = pool.members[0].timeout
    with pool.client(None):
        default = pool.members[0].timeout

    assert (short, default) == (1.5, 10)
