"""One import row → the values of a lead, or the field errors that make it invalid.

The header is mapped once per file (``HEADER_ALIASES``, English or Chinese); each non-empty cell is
then loaded by the marshmallow field of ``LeadFields`` for its column — its conversion and its
validators, the same rules as the API, e-mails normalised — without a whole-schema load per row;
phones through ``phones.e164`` (the same answer as the field's, faster for mobiles).
Text is stored as typed, formula-looking cells included: it is never evaluated here, and the CSV
export neutralises it (see ``exporting``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crm_contracts.payloads.lead_imports import HEADER_ALIASES
from crm_contracts.payloads.leads import LeadFields
from marshmallow import ValidationError

from . import phones
from .importfile import ImportFailed

_ALIASES = {alias.casefold(): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_FIELDS = LeadFields().fields
CASE = {"country": str.upper, "origin": str.upper, "destination": str.upper, "mode": str.lower,
        "source": str.lower}  # spreadsheets are typed by hand: "cn", "Air" mean CN, air


def map_header(header: list[str]) -> dict[int, str]:
    """Column index → lead field. Unknown columns are ignored; no company column is an error."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, title in enumerate(header):
        name = _ALIASES.get(title.strip().lstrip("\ufeff").casefold())
        if name is None:
            continue
        if name in seen:
            raise ImportFailed(f"Columns '{seen[name]}' and '{title.strip()}' both hold {name}; keep one.")
        seen[name] = title.strip()
        mapping[index] = name
    if "company" not in mapping.values():
        expected = ", ".join(HEADER_ALIASES["company"][:4])
        raise ImportFailed(f"Missing header: no company column (one of {expected}) in the first row "
                           f"{header[:8]!r}. Check the file's header row and its encoding.")
    return mapping


@dataclass
class Checked:
    values: dict[str, Any] | None
    errors: dict[str, list[str]]
    company: str | None


Loader = Callable[[str], Any]


def _loader(name: str) -> Loader:
    """The field's own conversion and validators, without a whole-schema load per cell."""
    field = _FIELDS[name]
    if name in ("phone", "fax"):
        message = field.error_messages["phone"]

        def phone(raw: str) -> str:
            e164 = phones.e164(raw)
            if e164 is None:
                raise ValidationError(message)
            return e164
        return phone
    case, validators = CASE.get(name), field.validators

    def load(raw: str) -> Any:
        value = field._deserialize(case(raw) if case else raw, name, None)
        for validator in validators:
            validator(value)
        return value
    return load


class RowChecker:
    def __init__(self, header: list[str], defaults: Mapping[str, Any]) -> None:
        self.columns = [(index, name, _loader(name)) for index, name in map_header(header).items()]
        self.defaults = dict(defaults)

    def check(self, cells: list[str]) -> Checked:
        values = dict(self.defaults)
        errors: dict[str, list[str]] = {}
        width = len(cells)
        for index, name, load in self.columns:
            raw = cells[index].strip() if index < width else ""
            if not raw:
                continue
            try:
                values[name] = load(raw)
            except ValidationError as exc:
                errors[name] = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
        company = values.get("company")
        if not company:
            errors["company"] = ["Missing data for required field."]
        return Checked(values=None if errors else values, errors=errors, company=company)
