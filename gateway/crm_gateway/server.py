"""gunicorn, started from Python: gthread workers, each holding its own RPC pool."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def _child_exit(_server: Any, worker: Any) -> None:
    # Drop the dead worker's live gauges from the multiprocess metrics.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class GatewayServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        self.cfg.set("child_exit", _child_exit)

    def load(self) -> Any:
        # Built inside each worker: the RPC pool, DB engine and relay thread must not cross a fork.
        from .app import create_app

        return create_app()


def serve(bind: str, workers: int, threads: int, timeout: int = 60) -> None:
    GatewayServer({
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": 20,
        "accesslog": None,  # the app logs each request as a JSON line with its request id
        "errorlog": "-",
    }).run()
