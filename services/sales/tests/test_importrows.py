"""An import checks each cell by the lead fields' own rules: its fast paths agree with the fields."""

from __future__ import annotations

import random

from crm_contracts.payloads.leads import LeadFields
from crm_sales.importrows import RowChecker
from marshmallow import ValidationError


def field_answer(name: str, raw: str) -> tuple[bool, object]:
    try:
        return True, LeadFields().load({"company": "X", name: raw}, partial=True)[name]
    except ValidationError as exc:
        return False, exc.messages[name]


def checker_answer(checker: RowChecker, raw: str) -> tuple[bool, object]:
    values, errors = checker.check(["X", raw])
    return (False, errors["email"]) if "email" in errors else (True, values[checker.fields.index("email")])


def test_an_email_cell_loads_as_the_email_field_loads_it_whatever_its_shape():
    rng = random.Random(7)
    parts = ["a", "Z", "0", "_", "+", "-", ".", "..", "é", "中", " ", "@", "'", '"', "!", "#"]
    samples = ["".join(rng.choice(parts) for _ in range(rng.randrange(1, 6))) + "@"
               + "".join(rng.choice(["b", "-", ".", "c0", "中", "x" * 64]) for _ in range(rng.randrange(1, 5)))
               + rng.choice([".cn", ".COM", ".c", ".museum1", "", ".x1y", ".shipping", "."]) for _ in range(3000)]
    samples += ["Lead1@Bench5.CN", "first.last@sub.example.co.uk", "a@localhost", "a@[10.0.0.1]", "a.@b.cn",
                ".a@b.cn", "a@-b.cn", "a@b-.cn", "a@b.cn.", "ａ@ｂ.cn", "x" * 190 + "@b.cn", "x" * 196 + "@b.cn",
                "a@" + "b" * 63 + ".cn", "a@" + "b" * 64 + ".cn"]
    checker = RowChecker(["company", "email"], {})

    assert [checker_answer(checker, s.strip()) for s in samples] == [field_answer("email", s.strip())
                                                                     for s in samples]
