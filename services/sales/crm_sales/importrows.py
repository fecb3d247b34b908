"""One import row → the values of a lead, or the field errors that make it invalid.

The header is mapped once per file (``HEADER_ALIASES``, English or Chinese); each non-empty cell is
then loaded by the marshmallow field of ``LeadFields`` for its column — its conversion and its
validators, the same rules as the API, e-mails normalised — without a whole-schema load per row;
phones through ``phones.e164`` (the same answer as the field's, faster for mobiles).
Text is stored as typed, formula-looking cells included: it is never evaluated here, and the CSV
export neutralises it (see ``exporting``).

Rows come out as lists rather than dicts — an import checks up to a million of them, and the list is
what the staging COPY writes anyway — holding only the fields the file can fill (``RowChecker.fields``:
its mapped columns and the job's defaults, in ``LEAD_TEXT_FIELDS`` order), each a string: an empty
one for a field left empty (NULL when staged), so that a row joins into a line as it is. A lead's
other fields are empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from crm_contracts.payloads.fields import EMAIL_MAX
from crm_contracts.payloads.lead_imports import HEADER_ALIASES
from crm_contracts.payloads.leads import LeadFields
from marshmallow import ValidationError, fields, validate

from . import phones
from .importfile import ImportFailed
from .models import LEAD_TEXT_FIELDS

_ALIASES = {alias.casefold(): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_FIELDS = LeadFields().fields
CASE = {"country": str.upper, "origin": str.upper, "destination": str.upper, "mode": str.lower,
        "source": str.lower}  # spreadsheets are typed by hand: "cn", "Air" mean CN, air
# Columns whose values repeat across a file (a few sources, cities, ports): their answers are
# remembered per file. Names, phones and e-mails are nearly all distinct, so they are not.
REPEATING = frozenset({"title", "country", "city", "industry", "source", "source_detail", "agent_name", "origin",
                       "destination", "mode", "region"})
MEMO_LIMIT = 10_000  # distinct values remembered per column; past it the memo starts again
COMPANY = 0  # company comes first in LEAD_TEXT_FIELDS, and every file has it
# The shape nearly every e-mail cell has: ASCII word characters with single dots between them, then
# host names and a top-level domain of letters. marshmallow's Email accepts every such address, and
# NormalisedEmail loads it lower-cased; any other cell takes the field's own path.
PLAIN_EMAIL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@"
                         r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}")


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
    case, validators = CASE.get(name), tuple(field.validators)
    # A plain String field's conversion of a str is the str itself: only its validators remain.
    convert = None if type(field) is fields.String else field._deserialize
    if convert is None and case is None and len(validators) == 1 and type(validators[0]) is validate.Length \
            and validators[0].equal is None:
        # Free text limited in length (names, notes): a length within bounds passes the validator, so
        # only a length outside them calls it, for its message.
        length = validators[0]
        low, high = length.min or 0, length.max if length.max is not None else float("inf")

        def text(raw: str) -> str:
            if not low <= len(raw) <= high:
                length(raw)
            return raw
        return text

    check = validate.And(*validators)  # every validator's message, as the schema gives them

    def load(raw: str) -> Any:
        value = case(raw) if case else raw
        if convert is not None:
            value = convert(value, name, None)
        check(value)
        return value
    if name == "email":
        plain = PLAIN_EMAIL.fullmatch

        def email(raw: str) -> str:
            return raw.lower() if len(raw) <= EMAIL_MAX and plain(raw) else load(raw)
        return email
    if name not in REPEATING:
        return load
    memo: dict[str, tuple[bool, Any]] = {}

    def remembered(raw: str) -> Any:
        known = memo.get(raw)
        if known is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            try:
                known = memo[raw] = (True, load(raw))
            except ValidationError as exc:
                known = memo[raw] = (False, exc.messages)
        if known[0]:
            return known[1]
        raise ValidationError(known[1])
    return remembered


def _messages(exc: ValidationError) -> list[str]:
    return exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]


class RowChecker:
    """Checks the rows of one file: ``check(cells)`` → ``(values, errors)``, ``values`` a list of
    ``fields`` (a bad cell leaves its field at the default), ``errors`` each bad field's messages (empty
    for a valid row)."""

    def __init__(self, header: list[str], defaults: Mapping[str, Any]) -> None:
        mapping = map_header(header)
        present = set(mapping.values()) | {name for name, value in defaults.items() if value is not None}
        self.fields = tuple(name for name in LEAD_TEXT_FIELDS if name in present)
        assert self.fields[COMPANY] == "company"
        position = {name: i for i, name in enumerate(self.fields)}
        self.columns = [(index, position[name], name, _loader(name)) for index, name in mapping.items()]
        self.template = [defaults.get(name) or "" for name in self.fields]
        self.width = max(mapping) + 1

    def check(self, cells: list[str]) -> tuple[list[Any], dict[str, list[str]]]:
        values = self.template.copy()
        errors: dict[str, list[str]] = {}
        if len(cells) < self.width:  # a short row: its missing cells are empty
            cells = cells + [""] * (self.width - len(cells))
        for index, position, name, load in self.columns:
            raw = cells[index].strip()
            if raw:
                try:
                    values[position] = load(raw)
                except ValidationError as exc:
                    errors[name] = _messages(exc)
        if not values[COMPANY] and "company" not in errors:  # a bad company keeps its own message
            errors["company"] = ["Missing data for required field."]
        return values, errors
