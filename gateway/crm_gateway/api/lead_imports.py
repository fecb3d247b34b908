"""Lead imports. The upload is the one route that makes several calls: the file goes to the sales
service in chunks (``IMPORT_CHUNK_BYTES``) so no RPC message carries 50 MB; werkzeug spools the
upload to disk, so the gateway never holds it whole either."""

from __future__ import annotations

import base64
import zlib
from collections import deque
from functools import partial
from pathlib import PurePath
from typing import IO, Any
from uuid import UUID

from crm_contracts.errors import ValidationFailed
from crm_contracts.payloads.lead_imports import (
    IMPORT_CHUNK_BYTES,
    IMPORT_MAX_BYTES,
    ImportListQuery,
    ImportOut,
    ImportPage,
    ImportRowPage,
    ImportRowQuery,
    ImportUpload,
)
from flask import request

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("lead_imports", __name__, description="Lead imports from CSV or XLSX")
MULTIPART_OVERHEAD = 1024 * 1024  # part headers and form fields around the file
# Chunks on their way at once: the sales service stores one while the next is read, encoded and sent.
CHUNKS_IN_FLIGHT = 2
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}


def _format(filename: str) -> str:
    fmt = FORMATS.get(PurePath(filename).suffix.lower())
    if fmt is None:
        raise ValidationFailed(errors={"file": ["Upload a .csv or .xlsx file."]})
    return fmt


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


@blp.operation("POST", "/leads/imports", form=ImportUpload, response=ImportOut, status=202,
               max_body=IMPORT_MAX_BYTES + MULTIPART_OVERHEAD, extra_responses=(409, 413, 415, 422))
def import_leads(rpc: Any, form: dict[str, Any]) -> Any:
    """Upload a CSV (UTF-8 or GBK) or XLSX as `file`; the job runs in the background — poll it."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(errors={"file": ["Attach the file as the multipart part named `file`."]})
    options = {k: v for k, v in form.items() if k != "file"}
    job = rpc.sales.start_import({**options, "filename": PurePath(upload.filename).name[-255:],
                                  "format": _format(upload.filename), "size_bytes": _size(upload.stream)})
    _send_chunks(rpc, job["id"], upload.stream)
    return rpc.sales.finish_import(job["id"])


def _packed(chunk: bytes) -> dict[str, Any]:
    """A chunk as it travels: zlib-compressed (fastest level) when that makes it smaller, which CSV
    nearly always is, five times over; what is not (a workbook is zip already) travels as it is."""
    packed = zlib.compress(chunk, 1)
    compressed = len(packed) < len(chunk)
    return {"data": base64.b64encode(packed if compressed else chunk).decode("ascii"), "compressed": compressed}


def _send_chunks(rpc: Any, import_id: str, stream: IO[bytes]) -> None:
    """Every chunk of ``stream``, ``CHUNKS_IN_FLIGHT`` at a time; each answer is awaited, the first
    error raised once the others have answered (so no reply is left behind on the connection)."""
    in_flight: deque[Any] = deque()
    failure: Exception | None = None
    chunks = enumerate(iter(partial(stream.read, IMPORT_CHUNK_BYTES), b""))
    while True:
        while failure is None and len(in_flight) < CHUNKS_IN_FLIGHT and (item := next(chunks, None)):
            seq, chunk = item
            in_flight.append(rpc.sales.add_import_chunk.call_async(import_id, {"seq": seq, **_packed(chunk)}))
        if not in_flight:
            break
        try:
            in_flight.popleft().result()
        except Exception as exc:  # noqa: BLE001 - raised below, after the replies still due
            failure = failure or exc
    if failure is not None:
        raise failure


@blp.operation("GET", "/leads/imports", query=ImportListQuery, response=ImportPage)
def list_imports(rpc: Any, query: dict[str, Any]) -> Any:
    """Import jobs: your own; managers their region's."""
    return rpc.sales.list_imports(query)


@blp.operation("GET", "/leads/imports/<uuid:import_id>", response=ImportOut)
def get_import(rpc: Any, import_id: UUID) -> Any:
    """A job's status, progress and counts."""
    return rpc.sales.get_import(str(import_id))


@blp.operation("GET", "/leads/imports/<uuid:import_id>/rows", query=ImportRowQuery, response=ImportRowPage)
def list_import_rows(rpc: Any, import_id: UUID, query: dict[str, Any]) -> Any:
    """Every row's fate: created, duplicate (of what, matched on which keys), invalid (field errors), skipped."""
    return rpc.sales.list_import_rows(str(import_id), query)
