"""``Idempotency-Key`` on POST: a repeat returns the first answer and calls nothing.

The key is claimed by inserting a unique (principal, key) row *before* the call, so two concurrent
duplicates cannot both execute: the loser sees the row and gets 409 while the first is running,
or the stored answer once it finished. A different request under the same key is refused (422).
Only successful answers are kept; after an error the key is released, so a retry runs again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, ValidationFailed
from flask import Response, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .store.db import Database
from .store.models import IdempotencyRecord

log = logging.getLogger(__name__)
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "ETag")


def fingerprint() -> str:
    """Method, path, query and body of the current request; JSON compared by value, not spacing."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode() if raw else b""
    except ValueError:
        body = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string, body):
        digest.update(part + b"\0")
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, db: Database, ttl_seconds: int, lock_seconds: int) -> None:
        self._db = db
        self._ttl = timedelta(seconds=ttl_seconds)
        self._lock = timedelta(seconds=lock_seconds)

    def run(self, principal: str, key: str, call: Callable[[], Response]) -> Response:
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ValidationFailed(errors={HEADER: ["Use 1-255 printable characters."]})
        print_ = fingerprint()
        claimed = self._claim(principal, key, print_)
        if isinstance(claimed, Response):
            return claimed
        try:
            response = call()
        except BaseException:
            self._release(claimed)
            raise
        if response.status_code < 400:
            self._complete(claimed, response)
        else:
            self._release(claimed)
        return response

    def _claim(self, principal: str, key: str, print_: str) -> int | Response:
        for _ in range(2):  # a second pass after clearing an expired or abandoned row
            try:
                with self._db.transaction() as session:
                    record = IdempotencyRecord(principal=principal, key=key, fingerprint=print_)
                    session.add(record)
                    session.flush()
                    return record.id
            except IntegrityError:
                pass
            outcome = self._existing(principal, key, print_)
            if outcome is not None:
                return outcome
        raise Conflict("This Idempotency-Key is busy; retry shortly.")

    def _existing(self, principal: str, key: str, print_: str) -> Response | None:
        """The answer for a key already claimed, or None once a dead row was cleared."""
        now = utcnow()
        with self._db.transaction() as session:
            record = session.scalar(select(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))
            if record is None:
                return None
            expired = now - record.created_at > self._ttl
            abandoned = record.status_code is None and now - record.created_at > self._lock
            if expired or abandoned:
                # By id: a racing retry that already replaced the row keeps its new one.
                session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
                return None
            if record.fingerprint != print_:
                raise ValidationFailed("This Idempotency-Key was already used for a different request.",
                                       errors={HEADER: ["Already used with another method, path or body."]})
            if record.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.")
            response = Response(record.response_body, status=record.status_code)
            for name, value in (record.response_headers or {}).items():
                response.headers[name] = value
            response.headers[REPLAYED_HEADER] = "true"
            return response

    def _complete(self, record_id: int, response: Response) -> None:
        headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        try:
            with self._db.transaction() as session:
                session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == record_id).values(
                    status_code=response.status_code, response_body=response.get_data(as_text=True),
                    response_headers=headers, completed_at=utcnow()))
        except Exception:  # the call succeeded; a lost record only weakens a later replay
            log.exception("could not store the answer for idempotency record %s", record_id)

    def _release(self, record_id: int) -> None:
        try:
            with self._db.transaction() as session:
                session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        except Exception:
            log.exception("could not release idempotency record %s", record_id)
