"""Priority from category × customer tier (REQUIREMENTS §3), the table agents and managers agreed on.

A VIP's complaint is urgent, a C customer's inquiry is low; an unknown tier counts as C. A TMS
exception of high severity (damage, loss) is never below ``high``.
"""

from __future__ import annotations

PRIORITIES = ("low", "normal", "high", "urgent")
TIERS = ("VIP", "A", "B", "C")

MATRIX: dict[str, tuple[str, str, str, str]] = {
    #             VIP       A         B         C
    "inquiry":   ("normal", "low",    "low",    "low"),
    "tracking":  ("high",   "normal", "normal", "low"),
    "billing":   ("high",   "normal", "normal", "normal"),
    "complaint": ("urgent", "high",   "high",   "normal"),
    "claim":     ("urgent", "high",   "high",   "high"),
    "exception": ("urgent", "high",   "high",   "normal"),
}


def priority_for(category: str, tier: str | None, floor: str | None = None) -> str:
    column = TIERS.index(tier) if tier in TIERS else TIERS.index("C")
    priority = MATRIX[category][column]
    if floor is not None and rank(floor) > rank(priority):
        return floor
    return priority


def rank(priority: str) -> int:
    return PRIORITIES.index(priority)
