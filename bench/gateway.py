"""Benchmark: GET one account through the gateway at 10 concurrent clients, against the same RPC
called directly through pooled nameko proxies (one started proxy per client), in the same run.

    .venv/bin/python bench/gateway.py [--clients 10] [--seconds 15]

Targets (foundation issue): gateway throughput ≥ 0.5 × the direct RPC baseline, gateway p99 ≤ 50 ms.
The whole system runs as real processes on PostgreSQL and a RabbitMQ vhost of its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_contracts.identity import Identity, sign  # noqa: E402
from crm_contracts.testing import infra  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from tests.api import Api  # noqa: E402
from tests.system import COMPONENTS, System  # noqa: E402


def load(make_call: Callable[[], Callable[[], None]], clients: int, seconds: float) -> tuple[float, list[float]]:
    """Run ``clients`` threads, each with its own client, for ``seconds``; return (req/s, latencies)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def worker(i: int) -> None:
        call = make_call()
        call()  # warm the connection before timing
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            call()
            latencies[i].append(time.perf_counter() - began)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + 3600)
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] * 1000


def report(name: str, rate: float, latencies: list[float]) -> None:
    print(f"{name:<22} {rate:8.0f} req/s   p50 {percentile(latencies, 0.5):6.1f} ms   "
          f"p99 {percentile(latencies, 0.99):6.1f} ms   ({len(latencies)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with infra.rabbitmq() as amqp_uri, infra.postgres_databases() as dbs, tempfile.TemporaryDirectory() as tmp:
        system = System(amqp_uri, {name: dbs.create(name) for name in COMPONENTS}, Path(tmp),
                        extra_env={"CRM_GATEWAY_WORKERS": "2", "CRM_GATEWAY_THREADS": "8",
                                   "CRM_LOG_LEVEL": "WARNING"})
        system.up()
        try:
            admin = Api.login(system.gateway_url, "admin", system.admin_password)
            account = admin.post("/accounts", {"customer_code": "BENCH-1", "name": "Bench Freight Ltd",
                                               "region": "east"}).json()
            url = f"{system.gateway_url}/api/v1/accounts/{account['id']}"
            bench_admin = Identity(user_id="00000000-0000-0000-0000-00000000be0c", role="admin", username="bench")
            token = sign(bench_admin, system.secret, ttl_seconds=3600)

            def direct() -> Callable[[], None]:
                proxy = ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data={"identity": token}, timeout=10)
                rpc = proxy.start()
                return lambda: rpc.customer.get_account(account["id"])

            def through_gateway() -> Callable[[], None]:
                session = requests.Session()
                session.headers["Authorization"] = admin.http.headers["Authorization"]

                def call() -> None:
                    response = session.get(url, timeout=10)
                    assert response.status_code == 200, response.text

                return call

            print(f"gateway benchmark: GET one account, {args.clients} clients, {args.seconds:.0f}s each, "
                  "PostgreSQL")
            base_rate, base_lat = load(direct, args.clients, args.seconds)
            report("baseline (direct RPC)", base_rate, base_lat)
            gw_rate, gw_lat = load(through_gateway, args.clients, args.seconds)
            report("gateway", gw_rate, gw_lat)
            print(f"ratio {gw_rate / base_rate:.2f}x (target >= 0.5x); gateway p99 "
                  f"{percentile(gw_lat, 0.99):.1f} ms (target <= 50 ms)")
        finally:
            system.down()


if __name__ == "__main__":
    main()
