"""Input fields that validate and normalise in one step, so the gateway and the service agree.

Each loads its own output unchanged (E.164 stays E.164), because a payload may be loaded twice: by the
gateway for the 422, and by the service that owns the rule.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from .. import jsonio, normalize

# GB 32100-2015 unified social credit code: 18 characters, the last a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code from its first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _looks_like_uscc(code: str) -> bool:
    return (len(code) == 18 and all(c in USCC_ALPHABET for c in code) and code[2:8].isdigit()
            and not code[:2].isalpha())


def valid_tax_id(code: str) -> bool:
    """A unified social credit code with a correct check character, or a VAT-style number."""
    if _looks_like_uscc(code):
        return uscc_check_char(code[:17]) == code[17]
    return (code[:2].isalpha() and code[:2].isascii() and 8 <= len(code) <= 16
            and code.isascii() and code.isalnum())


class PhoneNumber(fields.String):
    """A phone number in any common format (default region CN), loaded as E.164."""

    default_error_messages = {"phone": "Not a valid phone number; use e.g. +86 138 0013 8000."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        e164 = normalize.phone(super()._deserialize(value, attr, data, **kwargs))
        if e164 is None:
            raise self.make_error("phone")
        return e164


class TaxId(fields.String):
    """Unified social credit code (check character verified) or VAT number, loaded upper-case, compact."""

    default_error_messages = {"tax_id": "Not a valid unified social credit code or VAT number."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = normalize.tax_id(super()._deserialize(value, attr, data, **kwargs)) or ""
        if not valid_tax_id(code):
            raise self.make_error("tax_id")
        return code


EMAIL_MAX = 200  # every service stores e-mail addresses in 200 characters; no real address is longer


class NormalisedEmail(fields.Email):
    """An e-mail address, loaded trimmed and lower-case (the form duplicate control compares), at most
    ``EMAIL_MAX`` characters: a longer one would be refused by the column that stores it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(validate.Length(max=EMAIL_MAX))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize.email(super()._deserialize(value, attr, data, **kwargs)) or ""


def bounded_json(max_keys: int, max_bytes: int) -> Any:
    """A validator for free-form JSON objects: at most ``max_keys`` keys and ``max_bytes`` as JSON."""

    def check(value: dict[str, Any]) -> None:
        if len(value) > max_keys:
            raise ValidationError(f"At most {max_keys} keys are allowed.")
        if len(jsonio.dumps(value).encode()) > max_bytes:
            raise ValidationError(f"At most {max_bytes} bytes (as JSON) are allowed.")

    return check
