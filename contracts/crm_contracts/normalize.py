"""Normalised forms used for duplicate control (查重) by every service that dedupes.

Names: full/half width folded (NFKC), case folded, punctuation and spaces removed, and legal-form
suffixes in Chinese and English stripped, so "上海远洋物流有限公司" and "上海远洋物流", or
"ACME Logistics Co., Ltd." and "acme logistics", compare equal.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
    "companylimited", "corporation", "coltd", "colimited", "limited", "company", "incorporated",
    "gmbh", "ltd", "llc", "inc", "corp", "co", "plc", "ag", "sa", "bv", "pteltd", "pte", "kk",
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# The suffixes by their last character, each group in LEGAL_SUFFIXES order: a name is tried only
# against the few it can end with.
_SUFFIXES_ENDING: dict[str, tuple[str, ...]] = {}
for _suffix in LEGAL_SUFFIXES:
    _SUFFIXES_ENDING[_suffix[-1]] = (*_SUFFIXES_ENDING.get(_suffix[-1], ()), _suffix)


def company_name(name: str | None) -> str:
    if not name:
        return ""
    folded = unicodedata.normalize("NFKC", name).casefold()
    # All alphanumeric (most Chinese names) means nothing for the pattern to remove: skip its scan.
    compact = folded if folded.isalnum() else _NON_WORD.sub("", folded)
    while True:
        for suffix in _SUFFIXES_ENDING.get(compact[-1:], ()):
            if compact.endswith(suffix) and len(compact) > len(suffix):
                compact = compact[: -len(suffix)]
                break
        else:
            return compact  # no suffix left to strip, or only ones as long as the name itself


def phone(raw: str | None, default_region: str = "CN") -> str | None:
    """E.164 form of a phone number in any common format, or None when it is not a valid number."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(unicodedata.normalize("NFKC", raw), default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email(raw: str | None) -> str | None:
    return unicodedata.normalize("NFKC", raw).strip().lower() if raw else None


def tax_id(raw: str | None) -> str | None:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", raw)).upper() if raw else None
