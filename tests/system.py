"""The whole system as real processes on a real broker and real databases, for cross-service tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from crm_contracts.bus import topology

BIN = Path(sys.executable).parent
SERVICES = ("customer", "sales", "service_desk", "notify", "analytics")
COMPONENTS = (*SERVICES, "gateway")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class System:
    def __init__(self, amqp_uri: str, database_urls: dict[str, str], workdir: Path,
                 extra_env: dict[str, str] | None = None) -> None:
        self.amqp_uri = amqp_uri
        self.extra_env = extra_env or {}
        self.database_urls = database_urls
        self.workdir = workdir
        self.secret = "test-secret-" + os.urandom(8).hex()
        self.admin_password = "Admin-" + os.urandom(6).hex()
        self.ports = {name: free_port() for name in COMPONENTS}
        self.processes: dict[str, subprocess.Popen] = {}
        self.gateway_url = f"http://127.0.0.1:{self.ports['gateway']}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "CRM_AMQP_URI": self.amqp_uri, "CRM_JWT_SECRET": self.secret,
               "CRM_IDENTITY_SECRET": self.secret, "CRM_ADMIN_USER": "admin",
               "CRM_ADMIN_PASSWORD": self.admin_password, "CRM_GATEWAY_PORT": str(self.ports["gateway"]),
               "CRM_VAR_DIR": str(self.workdir / "var"), "CRM_LOG_LEVEL": "INFO",
               "CRM_RPC_TIMEOUT": "5", "CRM_360_SECTION_TIMEOUT": "1.5", "CRM_GATEWAY_WORKERS": "1",
               "CRM_SALES_REMINDERS_SECONDS": "1", "CRM_PORTAL_ACCOUNT_CHECK_SECONDS": "1",
               "PYTHONWARNINGS": "ignore"}
        for name, url in self.database_urls.items():
            env[f"CRM_{name.upper()}_DATABASE_URL"] = url
        for name in SERVICES:
            env[f"CRM_{name.upper()}_HTTP_ADDRESS"] = f"127.0.0.1:{self.ports[name]}"
        return {**env, **self.extra_env}

    def health_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/health"

    def start(self, name: str, wait: bool = True) -> None:
        command = ([str(BIN / "crm-gateway"), "serve"] if name == "gateway"
                   else [str(BIN / f"crm-{name.replace('_', '-')}"), "run"])
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.processes[name] = subprocess.Popen(command, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)
        if wait:
            self.wait_healthy(name)

    def wait_healthy(self, name: str, timeout: float = 60) -> None:
        url = f"{self.gateway_url}/healthz" if name == "gateway" else self.health_url(name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} did not become healthy:\n{self.log(name)}")

    def stop(self, *names: str) -> None:
        """Stop the named processes: all are asked at once, then each is waited for (15 s, then killed)."""
        stopping = [p for p in (self.processes.pop(name, None) for name in names) if p and p.poll() is None]
        for process in stopping:
            os.killpg(process.pid, signal.SIGTERM)
        for process in stopping:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def up(self) -> None:
        topology.setup(self.amqp_uri)
        for name in COMPONENTS:
            self.start(name, wait=False)
        for name in COMPONENTS:
            self.wait_healthy(name)

    def down(self) -> None:
        self.stop(*self.processes)
