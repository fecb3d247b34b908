"""Currency conversion with finance's exchange rates (``fxrates``): an account invoiced in several
currencies is measured against one credit limit.

A rate is what one unit of a currency is worth in the base currency (``BASE``, whose rate is 1), so an
amount converts from A to B as ``amount × rate(A) / rate(B)``, rounded to the cent. A currency without
a rate cannot be converted: its balance is left out of the sum and named, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .ledger import CENT
from .models import FxRate

BASE = "CNY"
Rates = Mapping[str, Decimal]


def rates(session: Session) -> dict[str, Decimal]:
    table = {currency: Decimal(rate) for currency, rate in session.execute(select(FxRate.currency, FxRate.rate))}
    table[BASE] = Decimal(1)
    return table


def needed(amounts: Mapping[str, Decimal], currency: str) -> bool:
    """Whether summing ``amounts`` in ``currency`` needs rates at all (most accounts use one currency)."""
    return any(amount and other != currency for other, amount in amounts.items())


def convert(amount: Decimal, source: str, target: str, table: Rates) -> Decimal | None:
    if source == target:
        return Decimal(amount)
    if source not in table or target not in table:
        return None
    return (Decimal(amount) * table[source] / table[target]).quantize(CENT)


def total_in(amounts: Mapping[str, Decimal], currency: str, table: Rates) -> tuple[Decimal, list[str]]:
    """The sum of ``amounts`` (per currency) in ``currency``, and the currencies left out for want of a rate."""
    total, missing = Decimal("0.00"), []
    for source, amount in amounts.items():
        value = convert(amount, source, currency, table)
        if value is None:
            if amount:
                missing.append(source)
        else:
            total += value
    return total.quantize(CENT), sorted(missing)
