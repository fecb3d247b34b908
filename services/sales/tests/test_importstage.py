"""The staging pieces that need no database: lead ids and the lines COPY reads."""

from __future__ import annotations

import csv
import io
import uuid
from itertools import islice

from crm_sales import importstage


def test_lead_ids_are_version_7_uuids_that_ascend_across_blocks_and_counter_rollovers():
    ids = list(islice(importstage.new_ids(block=4096), 40_000))  # past 0x4000 and 0x8000

    parsed = [uuid.UUID(i) for i in ids]
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert [str(u) for u in parsed] == ids and ids == sorted(ids) and len(set(ids)) == len(ids)
    counters = [(u.int >> 64 & 0xFFF) << 14 | (u.int >> 48 & 0x3FFF) for u in parsed]
    assert counters == list(range(40_000))


def test_copy_lines_hold_every_value_as_csv_reads_it_back_whatever_it_contains():
    rows = [("Plain", "", "3"), ("Acme Co., Ltd.", "x", "0"), ('The "Best"\tCarrier', "Lone\rCR", "7"),
            ("Two\nLines", "back\\slash", "9")]
    # a plain block, one that needs quoting, and one of other values than text
    for block in ([rows[0], rows[1]], rows, [("Report", None, 3)]):
        lines = importstage._Lines(iter([block]), ("pool", None))

        text = lines.read()

        read = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
        assert read == [[a, b or "", str(n), "pool", ""] for a, b, n in block]
        assert lines.read() == ""
