"""Lead grading A/B/C from the configured rules: each matching rule adds its points, and the score
against the thresholds gives the grade. Compiled once per job so an import grades rows cheaply;
``compile_row_grading`` grades the rows an import holds as lists instead of mappings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Grader = Callable[[Mapping[str, Any]], tuple[str, int]]
RowGrader = Callable[[Sequence[Any]], tuple[str, int]]


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


def compile_row_grading(grading: Mapping[str, Any], fields: Sequence[str]) -> RowGrader:
    """The same grading for rows given as sequences in ``fields`` order, shaped for an import's
    million rows: a rule on a field the rows never hold is settled once (it sees None, as
    ``values.get`` would), "present" rules test presence, and the points of the other rules are
    summed once per distinct value of their field (a few sources, not one per row)."""
    position = {name: i for i, name in enumerate(fields)}
    a, b = grading["thresholds"]["A"], grading["thresholds"]["B"]
    base = 0
    presence: list[tuple[int, int]] = []
    by_value: dict[int, list[tuple[Callable[[Any], bool], int]]] = {}
    for rule in grading["rules"]:
        test, points = _test(rule), rule["points"]
        if rule["field"] not in position:
            base += points if test(None) else 0
        elif rule["op"] == "present":
            presence.append((position[rule["field"]], points))
        else:
            by_value.setdefault(position[rule["field"]], []).append((test, points))
    valued = [(at, tests, {}) for at, tests in by_value.items()]

    def grade(values: Sequence[Any]) -> tuple[str, int]:
        score = base
        for at, points in presence:
            if values[at] not in (None, ""):
                score += points
        for at, tests, memo in valued:
            value = values[at]
            points = memo.get(value)
            if points is None:
                if len(memo) >= 10_000:  # a field of distinct values: remember no more
                    memo.clear()
                points = memo[value] = sum(p for test, p in tests if test(value))
            score += points
        return ("A" if score >= a else "B" if score >= b else "C"), score

    return grade
