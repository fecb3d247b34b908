"""Benchmark: the sales service through the gateway on PostgreSQL.

    .venv/bin/python bench/sales.py [--rows 100000] [--million-rows 1000000] [--reps 50] [--pool 10000]

Targets (issue 5):
1. Importing a 100,000-row CSV with 10 % duplicates, end to end through the gateway until the job is
   done, >= 0.05x the rows/s of PostgreSQL COPY of the same rows into a bare table (same run).
2. A 1,000,000-row file completes with memory that stays flat: the importer's peak RSS is about the
   same as for 100,000 rows (it streams; it does not load the file).
3. 50 reps claiming from a pool of 10,000 leads at once: no lead claimed twice, no rep over the claim
   limit, claim throughput >= 0.25x GET /leads/{id} throughput at the same concurrency.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_contracts.testing import infra  # noqa: E402
from crm_contracts.testing.waiting import unique  # noqa: E402

from tests.api import Api  # noqa: E402
from tests.system import COMPONENTS, System  # noqa: E402

CITIES = ("上海", "北京", "深圳", "广州", "宁波", "青岛", "天津", "厦门", "苏州", "重庆")
TRADES = ("物流", "国际货运代理", "供应链管理", "仓储", "运输", "贸易")
SUFFIXES = ("有限公司", "股份有限公司", "Co., Ltd.")
SOURCES = ("exhibition", "website", "referral", "cold_call", "overseas_agent")
HEADER = "company,contact,phone,email,source\n"


def lead_csv(n: int, seed: int = 5) -> bytes:
    """``n`` rows, one in ten a duplicate of an earlier row (same name with another legal suffix, the
    same phone written differently, or the same e-mail in capitals)."""
    rng = random.Random(seed)
    originals = n - n // 10
    rows = [(i, f"{rng.choice(CITIES)}{i:07d}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}", f"Contact {i}",
             f"+86139{i:08d}", f"lead{i}@bench{i % 97}.cn", rng.choice(SOURCES)) for i in range(originals)]
    for _ in range(n // 10):
        i, name, contact, phone, email, source = rows[rng.randrange(originals)]
        twist = rng.randrange(3)
        if twist == 0:
            name = name.replace("有限公司", " Limited") if "有限公司" in name else name.upper()
            phone = email = ""
        elif twist == 1:
            name, phone, email = f"Other {rng.random():.8f}", f"139 {phone[6:10]} {phone[10:]}", ""
        else:
            name, phone, email = f"Another {rng.random():.8f}", "", email.upper()
        rows.append((i + rng.random() * (originals - i), name, contact, phone, email, source))
    rows.sort(key=lambda row: row[0])
    body = "".join(f'"{name}",{contact},{phone},{email},{source}\n' for _, name, contact, phone, email, source in rows)
    return (HEADER + body).encode()


def copy_baseline(dbs: infra.Databases, content: bytes, runs: int = 3) -> float:
    """Rows/s of COPY into a fresh bare table, the median of ``runs``: one COPY of 100,000 rows takes
    about a tenth of a second, so a single one swings with whatever else the machine does."""
    engine = create_engine(dbs.create("bare"))
    rates = []
    try:
        for run in range(runs):
            with engine.begin() as conn:
                conn.execute(text(f"CREATE TABLE bare{run} (company text, contact text, phone text, email text, "
                                  "source text)"))
            raw = engine.raw_connection()
            try:
                started = time.perf_counter()
                raw.cursor().copy_expert(f"COPY bare{run} FROM STDIN WITH (FORMAT csv, HEADER true)",
                                         io.BytesIO(content))
                raw.commit()
                rates.append((content.count(b"\n") - 1) / (time.perf_counter() - started))
            finally:
                raw.close()
    finally:
        engine.dispose()
    return statistics.median(rates)


class PeakRss:
    """Samples the resident memory of the import child processes of the sales service."""

    def __init__(self, parent_pid: int) -> None:
        self.parent, self.peak_kb, self._running = parent_pid, 0, True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _children(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.parent:
                    pids.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return pids

    def _sample(self) -> None:
        while self._running:
            for pid in self._children():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)
                self.peak_kb = max(self.peak_kb, rss)
            time.sleep(0.05)

    def stop(self) -> int:
        self._running = False
        self._thread.join()
        return self.peak_kb


def import_file(system: System, api: Api, name: str, content: bytes) -> tuple[dict, float, int]:
    """Upload through the gateway and wait for the job: (job, seconds, importer peak RSS in kB). The
    job ends when its transaction commits, which its ``finished_at`` records (this host's clock); the
    status is polled every 0.1 s only to learn that it has."""
    meter = PeakRss(system.processes["sales"].pid)
    started = time.time()
    answer = api.post("/leads/imports", files={"file": (name, content)}, data={"assign": "pool"}, timeout=600)
    assert answer.status_code == 202, answer.text
    while True:
        job = api.get(f"/leads/imports/{answer.json()['id']}").json()
        if job["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    peak = meter.stop()
    assert job["status"] == "completed", job
    finished = datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00")).timestamp()
    return job, finished - started, peak


def bench_import(system: System, dbs: infra.Databases, api: Api, rows: int, million: int) -> None:
    content = lead_csv(rows)
    print(f"1. Import of {rows:,} rows ({len(content) / 1e6:.1f} MB, 10 % duplicates)")
    copy_rate = copy_baseline(dbs, content)
    print(f"   PostgreSQL COPY into a bare table   {copy_rate:12,.0f} rows/s (median of 3)")
    # A running system has its warm importer process; the first job after start-up would wait for it.
    import_file(system, api, "warm-up.csv", b"company\nWarm-up Freight Ltd\n")
    job, seconds, peak_small = import_file(system, api, "bench.csv", content)
    rate = rows / seconds
    print(f"   import through the gateway          {rate:12,.0f} rows/s  ({seconds:.1f}s, counts {job['counts']}, "
          f"importer peak RSS {peak_small / 1024:.0f} MB)")
    ratio = rate / copy_rate
    print(f"   ratio {ratio:.3f}x COPY (target >= 0.05x) {'PASS' if ratio >= 0.05 else 'FAIL'}")
    if million:
        big = b"company,phone\n" + b"".join(f"M{i:07d} Freight,+8613{i:09d}\n".encode() for i in range(million))
        print(f"2. Import of {million:,} rows ({len(big) / 1e6:.1f} MB)")
        job, seconds, peak_big = import_file(system, api, "million.csv", big)
        print(f"   {million / seconds:,.0f} rows/s ({seconds:.1f}s), counts {job['counts']}, importer peak RSS "
              f"{peak_big / 1024:.0f} MB vs {peak_small / 1024:.0f} MB for {rows:,} rows")
        flat = peak_big <= peak_small * 1.5 + 20 * 1024
        print(f"   memory {'stays flat: PASS' if flat else 'grows with the file: FAIL'}")


def claim_all(reps: list[Api], ids: list[str], limit: int) -> tuple[Counter, Counter, int, float]:
    """Every rep walks the pool in its own order claiming until it reaches the limit.

    Returns (wins per lead, wins per rep, attempts, attempts per second)."""
    per_lead: Counter = Counter()
    per_rep: Counter = Counter()
    attempts, lock = [0], threading.Lock()

    def rep_loop(index: int, api: Api) -> None:
        order = ids[:]
        random.Random(index).shuffle(order)
        for lead_id in order:
            answer = api.post(f"/leads/{lead_id}/claim")
            with lock:
                attempts[0] += 1
                if answer.status_code == 200:
                    per_lead[lead_id] += 1
                    per_rep[index] += 1
            if answer.status_code != 200:
                assert answer.status_code == 409, answer.text
                if "claim limit" in answer.text:
                    return
            if per_rep[index] > limit:  # the service let one through: stop, it is reported below
                return

    threads = [threading.Thread(target=rep_loop, args=(i, api)) for i, api in enumerate(reps)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_lead, per_rep, attempts[0], attempts[0] / (time.perf_counter() - started)


def get_rate(reps: list[Api], ids: list[str], seconds: float) -> float:
    count, lock, deadline = [0], threading.Lock(), time.perf_counter() + seconds

    def loop(api: Api) -> None:
        rng = random.Random()
        while time.perf_counter() < deadline:
            answer = api.get(f"/leads/{rng.choice(ids)}")
            assert answer.status_code == 200, answer.text
            with lock:
                count[0] += 1

    threads = [threading.Thread(target=loop, args=(api,)) for api in reps]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count[0] / (time.perf_counter() - started)


def pool_ids(api: Api, import_id: str) -> list[str]:
    ids, cursor = [], None
    while True:
        page = api.get(f"/leads/imports/{import_id}/rows", params={"fate": "created", "limit": 500,
                                                                   **({"cursor": cursor} if cursor else {})}).json()
        ids += [row["lead_id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def bench_claims(system: System, admin: Api, manager: Api, reps_n: int, pool_n: int) -> None:
    limit = pool_n // reps_n * 3 // 4  # the reps together want more than the pool holds per rep
    print(f"3. {reps_n} reps claiming from a pool of {pool_n:,} leads (claim limit {limit})")
    answer = admin.patch("/sales-settings", {"pool": {"release_after_days": 30, "warn_days_before": 3,
                                                      "claim_limit": limit, "reclaim_cooldown_days": 7}})
    assert answer.status_code == 200, answer.text
    content = ("company\n" + "".join(f"Pool Lead {unique('p')}\n" for _ in range(pool_n))).encode()
    job, _, _ = import_file(system, manager, "pool.csv", content)
    ids = pool_ids(manager, job["id"])
    reps = []
    for i in range(reps_n):
        username, password = unique("rep"), "Secret-" + unique("pw")
        created = admin.post("/users", {"username": username, "password": password, "role": "sales_rep",
                                        "region": "east", "team": f"bench{i}"})
        assert created.status_code == 201, created.text
        reps.append(Api.login(system.gateway_url, username, password))
    won, per_rep, attempts, claim_rate = claim_all(reps, ids, limit)
    readers = [Api(system.gateway_url, manager.http.headers["Authorization"].split()[1]) for _ in reps]
    baseline = get_rate(readers, ids, 10)  # the manager sees every lead of the region
    twice = [lead for lead, n in won.items() if n > 1]
    over = [rep for rep, n in per_rep.items() if n > limit]
    print(f"   {sum(won.values()):,} leads claimed in {attempts:,} attempts; claimed twice: {len(twice)}; "
          f"reps over the limit: {len(over)} (most held {max(per_rep.values())})")
    print(f"   claim attempts {claim_rate:8,.0f}/s   GET /leads/{{id}} {baseline:8,.0f}/s")
    ratio = claim_rate / baseline
    ok = ratio >= 0.25 and not twice and not over
    print(f"   ratio {ratio:.2f}x GET (target >= 0.25x), integrity {'kept' if not (twice or over) else 'BROKEN'}: "
          f"{'PASS' if ok else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million-rows", type=int, default=1_000_000, help="0 skips the flat-memory run")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--pool", type=int, default=10_000)
    args = parser.parse_args()
    with infra.postgres_databases() as dbs, infra.rabbitmq() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        system = System(amqp_uri, {name: dbs.create(name) for name in COMPONENTS}, Path(tmp))
        try:
            system.up()
            admin = Api.login(system.gateway_url, "admin", system.admin_password)
            username, password = unique("mgr"), "Secret-" + unique("pw")
            created = admin.post("/users", {"username": username, "password": password, "role": "sales_manager",
                                            "region": "east", "team": "bench"})
            assert created.status_code == 201, created.text
            manager = Api.login(system.gateway_url, username, password)
            bench_import(system, dbs, manager, args.rows, args.million_rows)
            bench_claims(system, admin, manager, args.reps, args.pool)
        finally:
            system.down()


if __name__ == "__main__":
    try:
        main()
    except requests.RequestException as exc:
        sys.exit(f"benchmark aborted: {exc}")
