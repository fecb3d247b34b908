"""Lead grading A/B/C from the configured rules: each matching rule adds its points, and the score
against the thresholds gives the grade. Compiled once per job so an import grades rows cheaply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Grader = Callable[[Mapping[str, Any]], tuple[str, int]]


def _test(rule: Mapping[str, Any]) -> Callable[[Any], bool]:
    op, value = rule["op"], rule.get("value")
    if op == "present":
        return lambda v: v not in (None, "")
    if op == "equals":
        return lambda v: v == value
    allowed = frozenset(value or ())
    return lambda v: v in allowed


def compile_grading(grading: Mapping[str, Any]) -> Grader:
    checks = [(rule["field"], _test(rule), rule["points"]) for rule in grading["rules"]]
    a, b = grading["thresholds"]["A"], grading["thresholds"]["B"]

    def grade(values: Mapping[str, Any]) -> tuple[str, int]:
        score = 0
        for name, test, points in checks:
            if test(values.get(name)):
                score += points
        return ("A" if score >= a else "B" if score >= b else "C"), score

    return grade
