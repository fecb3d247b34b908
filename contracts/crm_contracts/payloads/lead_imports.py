"""Lead import jobs: the upload, the job's progress and every row's fate.

The file travels from the gateway to the sales service in chunks (``IMPORT_CHUNK_BYTES``, base64 in
the RPC message), so neither side holds a 50 MB body in one message; the service parses it as a
stream once the last chunk is in. A chunk travels and is stored zlib-compressed when that makes it
smaller: CSV shrinks about five times, and so does what the broker and the database carry.
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import ListQuery, Strict, page_of
from .leads import SOURCES

IMPORT_MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 1_000_000
IMPORT_CHUNK_BYTES = 4 * 1024 * 1024
FORMATS = ("csv", "xlsx")
ENCODINGS = ("auto", "utf-8", "gbk", "gb18030")
ASSIGN_MODES = ("rules", "pool", "me")
JOB_STATUSES = ("uploading", "queued", "running", "completed", "failed")
FATES = ("created", "duplicate", "invalid", "skipped")

# Column headers a file may use for each lead field (case and surrounding spaces ignored).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("company", "company name", "name", "公司", "公司名称", "客户名称", "企业名称"),
    "contact_name": ("contact", "contact name", "contact_name", "联系人", "联系人姓名"),
    "title": ("title", "job title", "职务", "职位"),
    "phone": ("phone", "telephone", "tel", "mobile", "电话", "联系电话", "手机"),
    "fax": ("fax", "传真"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"),
    "website": ("website", "web", "url", "网址", "网站"),
    "country": ("country", "国家"),
    "city": ("city", "城市"),
    "address": ("address", "地址"),
    "industry": ("industry", "行业"),
    "source": ("source", "来源"),
    "source_detail": ("source detail", "source_detail", "campaign", "exhibition", "展会"),
    "agent_name": ("agent", "agent name", "agent_name", "代理", "海外代理"),
    "origin": ("origin", "pol", "起运港"),
    "destination": ("destination", "pod", "目的港"),
    "mode": ("mode", "运输方式"),
    "notes": ("notes", "note", "remark", "remarks", "备注"),
    "region": ("region", "区域", "大区"),
}


class ImportForm(Strict):
    """The multipart form fields of ``POST /leads/imports`` besides the ``file`` part."""

    encoding = fields.String(load_default="auto", validate=validate.OneOf(ENCODINGS),
                             metadata={"description": "CSV only; `auto` tries UTF-8, then GBK."})
    source = fields.String(load_default="import", validate=validate.OneOf(SOURCES),
                           metadata={"description": "For rows without a source column."})
    source_detail = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50),
                           metadata={"description": "For rows without a region; defaults to yours."})
    assign = fields.String(load_default="rules", validate=validate.OneOf(ASSIGN_MODES),
                           metadata={"description": "rules: assignment rules, else the pool; pool; me."})


class ImportUpload(ImportForm):
    """``POST /leads/imports`` as multipart/form-data: the file and the options."""

    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary",
                                                   "description": "The CSV (UTF-8 or GBK) or XLSX file, ≤ 50 MB."})


class ImportStart(ImportForm):
    """Announces an upload to the sales service (the gateway adds what it knows of the file)."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    size_bytes = fields.Integer(required=True, validate=validate.Range(
        min=1, max=IMPORT_MAX_BYTES, error="The file must hold 1 byte to 50 MB."))


class ImportChunk(Strict):
    seq = fields.Integer(required=True, validate=validate.Range(min=0, max=IMPORT_MAX_BYTES))
    data = fields.String(required=True, validate=validate.Length(min=1, max=IMPORT_CHUNK_BYTES * 4 // 3 + 8),
                         metadata={"description": "base64 of at most IMPORT_CHUNK_BYTES bytes of the file"})
    compressed = fields.Boolean(load_default=False,
                                metadata={"description": "`data` is a zlib stream (RFC 1950) of the chunk, smaller "
                                                         "than the chunk itself"})


class ImportCounts(Strict):
    created = fields.Integer(required=True)
    duplicate = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    skipped = fields.Integer(required=True)


class ImportOut(Strict):
    id = fields.String(required=True)
    filename = fields.String(required=True)
    format = fields.String(required=True)
    encoding = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(JOB_STATUSES))
    error = fields.String(allow_none=True)
    size_bytes = fields.Integer(required=True)
    received_bytes = fields.Integer(required=True)
    total_rows = fields.Integer(allow_none=True)
    processed_rows = fields.Integer(required=True)
    progress = fields.Float(required=True, metadata={"description": "0.0 to 1.0"})
    counts = fields.Nested(ImportCounts, required=True)
    options = fields.Dict(required=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)


class DuplicateOf(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(("lead", "account", "row")))
    id = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)


class ImportRowOut(Strict):
    row = fields.Integer(required=True, metadata={"description": "1-based data row (the header is row 0)"})
    fate = fields.String(required=True, validate=validate.OneOf(FATES))
    lead_id = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    duplicate_of = fields.Nested(DuplicateOf, allow_none=True)
    matched_on = fields.List(fields.String(), required=True)
    errors = fields.Dict(required=True)


class ImportListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))


class ImportRowQuery(ListQuery):
    fate = fields.String(validate=validate.OneOf(FATES))


ImportPage = page_of(ImportOut, "ImportPage")
ImportRowPage = page_of(ImportRowOut, "ImportRowPage")
