"""Freight arithmetic: chargeable quantity by mode, the weight-break rate, surcharges and margin.

Factors (also in ``crm_contracts.payloads.quotes``): air 1:6000 (cm³/kg), express 1:5000, road and rail
1:3000; sea LCL by revenue ton, 1 cbm = 1,000 kg (W/M); sea FCL and road FTL per container/truck
(``pieces``). Chargeable kilograms round up to the next 0.5 kg, as carriers bill them; money rounds
half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from crm_contracts.errors import ValidationFailed

CM3_PER_KG = {"air": Decimal(6000), "express": Decimal(5000), "road_ltl": Decimal(3000), "rail": Decimal(3000)}
PER_UNIT = ("sea_fcl", "road_ftl")
CENT = Decimal("0.01")
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Cargo:
    mode: str
    pieces: int
    weight_kg: Decimal
    volume_cbm: Decimal | None = None
    dimensions: Sequence[Mapping[str, Any]] = ()
    cargo_value: Decimal | None = None


@dataclass
class Priced:
    chargeable: Decimal
    unit: str
    volume_cbm: Decimal
    freight: Decimal
    surcharges: list[dict[str, Any]] = field(default_factory=list)
    discount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    cost: Decimal | None = None
    margin_pct: Decimal | None = None


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def volume(cargo: Cargo) -> Decimal:
    """Cubic metres: from the dimensions when given (L×W×H cm × pieces), else as declared."""
    if cargo.dimensions:
        cm3 = sum((Decimal(d["length_cm"]) * Decimal(d["width_cm"]) * Decimal(d["height_cm"]) * d["pieces"]
                   for d in cargo.dimensions), Decimal(0))
        return (cm3 / Decimal(1_000_000)).quantize(Decimal("0.001"), rounding=ROUND_CEILING)
    return cargo.volume_cbm or Decimal(0)


def chargeable(cargo: Cargo) -> tuple[Decimal, str]:
    cbm = volume(cargo)
    if cargo.mode in PER_UNIT:
        return Decimal(cargo.pieces), "unit"
    if cargo.mode == "sea_lcl":
        tons = max(cargo.weight_kg / 1000, cbm)
        return tons.quantize(Decimal("0.001"), rounding=ROUND_CEILING), "revenue_ton"
    volumetric = cbm * Decimal(1_000_000) / CM3_PER_KG[cargo.mode]
    kg = max(cargo.weight_kg, volumetric)
    return (kg / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF, "kg"


def rate_for(breaks: Sequence[Mapping[str, Any]], quantity: Decimal) -> Mapping[str, Any]:
    """The highest break whose ``min_qty`` the quantity reaches (breaks ascend from 0)."""
    chosen = breaks[0]
    for brk in breaks:
        if quantity >= Decimal(brk["min_qty"]):
            chosen = brk
    return chosen


def _surcharge(line: Mapping[str, Any], freight: Decimal, quantity: Decimal, cargo: Cargo) -> Decimal:
    value = Decimal(line["value"])
    basis = line["basis"]
    if basis == "percent_freight":
        return money(freight * value / 100)
    if basis == "per_unit":
        return money(quantity * value)
    if basis == "flat":
        return money(value)
    if cargo.cargo_value is None:
        raise ValidationFailed(errors={"cargo_value": [f"The {line['code']} surcharge is charged on cargo value; "
                                                       "give cargo_value."]})
    return money(cargo.cargo_value * value / 100)


def price(card: Mapping[str, Any], cargo: Cargo, surcharges: Sequence[Mapping[str, Any]],
          discount_pct: Decimal) -> Priced:
    quantity, unit = chargeable(cargo)
    brk = rate_for(card["breaks"], quantity)
    freight = money(max(Decimal(card["min_charge"]), quantity * Decimal(brk["rate"])))
    lines = [{"code": s["code"], "basis": s["basis"], "value": Decimal(s["value"]),
              "amount": _surcharge(s, freight, quantity, cargo)} for s in surcharges]
    subtotal = freight + sum((line["amount"] for line in lines), Decimal(0))
    discount = money(subtotal * discount_pct / 100)
    total = subtotal - discount
    cost = None
    margin = None
    if brk.get("cost") is not None:
        # Surcharges pass through at cost; the margin is made on freight.
        cost = money(quantity * Decimal(brk["cost"])) + (subtotal - freight)
        margin = money((total - cost) / total * 100) if total else Decimal(0)
    return Priced(chargeable=quantity, unit=unit, volume_cbm=volume(cargo), freight=freight, surcharges=lines,
                  discount=discount, total=total, cost=cost, margin_pct=margin)
