"""Leads as CSV. Text is stored as people typed it, formula-looking cells included; here any cell
that a spreadsheet would read as a formula (= + - @, or a leading tab/CR) is prefixed with ``'`` so it
opens as text — the OWASP rule against CSV injection."""

from __future__ import annotations

import csv
import io
from typing import Any

from crm_contracts import jsonio
from crm_contracts.identity import Identity
from sqlalchemy.orm import Session

from . import leads
from .models import LEAD_TEXT_FIELDS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("id", *LEAD_TEXT_FIELDS, "grade", "score", "status", "owner_id", "created_at")


def cell(value: Any) -> str:
    text = "" if value is None else str(jsonio.to_jsonable(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def leads_csv(session: Session, actor: Identity, query: dict[str, Any]) -> dict[str, Any]:
    rows, cursor = leads.list_(session, actor, query)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([cell(getattr(lead, c)) for c in COLUMNS] for lead in rows)
    return {"csv": buffer.getvalue(), "rows": len(rows), "next_cursor": cursor}
