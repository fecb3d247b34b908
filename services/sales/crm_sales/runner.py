"""The import runner: a dependency that picks queued import jobs and hands them to a warm child
process (``python -m crm_sales.importer serve``), one at a time.

A child process keeps a CPU-heavy import (a million rows) from stalling this service's eventlet loop,
and lets the OS share the cores; keeping it warm spares each import the interpreter start. Several
sales instances each run one; a conditional UPDATE hands a job to exactly one of them, and a job
whose process died is requeued by ``imports.recover``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

import eventlet
from crm_contracts.chassis.database import Database
from eventlet.green import subprocess
from nameko.extensions import DependencyProvider

from . import imports

log = logging.getLogger(__name__)


class ImportRunnerAccess:
    def __init__(self, provider: ImportRunner) -> None:
        self._provider = provider

    def kick(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._provider.wake.set()


class ImportRunner(DependencyProvider):
    def __init__(self, poll_interval: float = 2.0) -> None:
        self.poll_interval = poll_interval
        self.wake = threading.Event()
        self.running = False
        self.child: Any = None

    def setup(self) -> None:
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))

    def start(self) -> None:
        self.running = True
        self.container.spawn_managed_thread(self._loop)

    def stop(self) -> None:
        self.running = False
        self.wake.set()
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> ImportRunnerAccess:
        return ImportRunnerAccess(self)

    def _loop(self) -> None:
        try:
            self._worker()  # warm now: the interpreter and its imports take seconds the first job would wait
        except Exception:  # noqa: BLE001 - it is started again when a job needs it
            log.exception("could not start the importer process")
        while self.running:
            self.wake.wait(self.poll_interval)
            self.wake.clear()
            try:
                while self.running and self._run_one():
                    pass
            except Exception:  # noqa: BLE001 - the runner must outlive a database outage
                log.exception("import runner failed; retrying")
                eventlet.sleep(5)

    def _worker(self) -> Any:
        """The warm importer process, started (again) when there is none."""
        if self.child is None or self.child.poll() is not None:
            url = self.database.engine.url.render_as_string(hide_password=False)
            self.child = subprocess.Popen([sys.executable, "-m", "crm_sales.importer", "serve"],
                                          env={**os.environ, "CRM_SALES_DATABASE_URL": url},
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self.child

    def _run_one(self) -> bool:
        with self.database.sessions() as session, session.begin():
            imports.recover(session)
            job_id = imports.claim_next(session)
        if job_id is None:
            return False
        worker = self._worker()
        worker.stdin.write(f"{job_id}\n".encode())
        worker.stdin.flush()
        answer = worker.stdout.readline().decode().strip()  # green: this service keeps serving meanwhile
        if not answer:  # it died mid-job: the job is requeued once its heartbeat is stale
            log.error("import %s: the importer process exited with %s", job_id, worker.wait())
            self.child = None
        else:
            log.info("import %s", answer)
        self.database.kick_relay()
        return True
