"""Lead imports. The upload is the one route that makes several calls: the file goes to the sales
service in chunks (``IMPORT_CHUNK_BYTES``) so no RPC message carries 50 MB; werkzeug spools the
upload to disk, so the gateway never holds it whole either."""

from __future__ import annotations

import base64
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
    for seq, chunk in enumerate(iter(partial(upload.stream.read, IMPORT_CHUNK_BYTES), b"")):
        rpc.sales.add_import_chunk(job["id"], {"seq": seq, "data": base64.b64encode(chunk).decode("ascii")})
    return rpc.sales.finish_import(job["id"])


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
