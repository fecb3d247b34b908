"""Staging an import: every valid row straight into ``leads``, every invalid one into its report.

The rows are parsed, checked, keyed and graded as they stream out of the upload, and each valid row
goes into ``leads`` at once as a pool lead of this import (its own id, ``import_id``, ``import_row``),
by COPY on PostgreSQL (``executemany`` elsewhere). COPY reads from a file-like object that produces
its lines only when asked, so the server stores one block — the heap and every index of ``leads``,
most of an import's database work — while Python parses the next: the two run on different cores,
and neither the file nor its rows are ever held whole. The rows that turn out to be duplicates or
customers are deleted again once ``importfates`` has decided, in the same transaction; nothing of
the job is visible before it commits.

Invalid rows are final when read: their lines of the report are kept aside and written between two
COPYs into ``leads`` (at most ``INVALID_HELD`` held at a time, so a file of bad rows stays flat too).
Each valid row's keys pass through a bit set on the way, so the keys that may repeat within the file
(``candidates``) are known at the end without keeping the keys themselves.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from crm_contracts import normalize
from crm_contracts.chassis.types import UtcDateTime
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from .grading import RowGrader
from .importfile import ImportFailed
from .importrows import COMPANY, RowChecker

# The columns each staged lead is written with: the fields its file fills, these, then those every
# lead of a job shares (``JOB_COLUMNS``).
ROW_COLUMNS = ("name_key", "grade", "score", "id", "import_row")
# The shared ones PostgreSQL fills by default (sales migration 0005), so its COPY leaves them out: the
# time of the job's transaction, which is the job's ``now`` there, and version 1. Parsing three
# timestamps a row was a tenth of the COPY's work.
DEFAULTED = ("created_at", "updated_at", "last_activity_at", "version")
JOB_COLUMNS = ("status", "import_id", "created_by", *DEFAULTED)
REPORT_COLUMNS = ("import_id", "row", "fate", "company", "reason", "matched_on", "errors")
INVALID_HELD = 10_000
# Keys seen so far, one byte each (a Bloom filter of one hash; a byte rather than a bit, as testing
# and setting a bit costs the loop that runs for every key twice the work): a key whose slot is
# already set may repeat within the file, and only those are grouped in SQL for in-file duplicates.
# A fixed 32 MB, false positives included; past ``CANDIDATES_KEPT`` candidates every key is grouped.
SEEN_SLOTS = 1 << 25
CANDIDATES_KEPT = 100_000
Progress = Callable[[int, int], None]  # (rows so far, invalid so far)


# The variant and the low 14 bits of the counter, as they are written (seq & 0x3FFF → "8000-" …
# "bfff-"), made once: joining ready pieces takes a third of the time of formatting each id.
_VARIANT_COUNTER = [f"{0x8000 | low:04x}-" for low in range(0x4000)]


def new_ids(block: int = 4096) -> Iterator[str]:
    """Ids for an import's leads: version 7 UUIDs (RFC 9562) — the time of the job in milliseconds,
    then a counter, then 48 random bits — so they ascend within a job. Each lead's id is one insert
    into the primary key, and ascending ones land side by side instead of at random in the index.
    ``block`` divides 0x4000, so the counter's high 12 bits are the same throughout a block.
    """
    assert 0x4000 % block == 0
    millis = time.time_ns() // 1_000_000
    head = f"{millis >> 16:08x}-{millis & 0xFFFF:04x}-7"
    for start in itertools.count(0, block):
        randomness = os.urandom(6 * block).hex()
        prefix, low = f"{head}{start >> 14 & 0xFFF:03x}-", start & 0x3FFF  # seq: 26 bits, 12 here, 14 below
        yield from [prefix + counter + randomness[at:at + 12]
                    for counter, at in zip(_VARIANT_COUNTER[low:low + block], range(0, 12 * block, 12), strict=True)]


class Stager:
    """Turns the file's rows into pool leads of the job and report lines of invalid rows."""

    def __init__(self, checker: RowChecker, grader: RowGrader, *, import_id: str, created_by: str | None,
                 now: datetime, block: int, limit: int, progress: Progress | None = None) -> None:
        self.checker, self.grader, self.progress = checker, grader, progress
        self.block, self.limit = block, limit
        self.shared = ("pool", import_id, created_by, now, now, now, 1)  # JOB_COLUMNS
        self.columns = (*checker.fields, *ROW_COLUMNS, *JOB_COLUMNS)
        self.import_id = import_id
        self.total = 0
        self.invalid = 0
        self.held: list[tuple[Any, ...]] = []  # report lines of invalid rows not yet written
        self.done = False
        self.ids = new_ids()
        self.seen = bytearray(SEEN_SLOTS)
        self.candidates: set[str] | None = set()
        keys = [i for i, name in enumerate(checker.fields) if name in ("phone", "fax", "email")]
        self.keys_of = itemgetter(*keys) if len(keys) > 1 else (lambda v: (v[keys[0]],)) if keys else (lambda v: ())

    def _blocks(self, rows: Iterator[list[str]]) -> Iterator[list[Sequence[Any]]]:
        """Blocks of leads to stage (without the columns they share). Blank lines are not rows; row
        numbers count the others from 1. Pauses (ends) once ``INVALID_HELD`` invalid rows wait."""
        check, grade, company_name, ids = self.checker.check, self.grader, normalize.company_name, self.ids
        size, limit, held = self.block, self.limit, self.held
        seen, candidates, mask, keys_of = self.seen, self.candidates, SEEN_SLOTS - 1, self.keys_of
        block: list[tuple[Any, ...]] = []
        number = self.total
        for cells in rows:
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # the first cell mostly tells
                continue
            number += 1
            values, errors = check(cells)
            if errors:
                self.invalid += 1
                held.append((self.import_id, number, "invalid", (values[COMPANY] or "")[:200] or None,
                             "Invalid fields: " + ", ".join(sorted(errors)), "[]",
                             json.dumps(errors, ensure_ascii=False)))
            else:
                name_key = company_name(values[COMPANY])
                letter, score = grade(values)
                values += (name_key, letter, str(score), next(ids), str(number))  # the row as staged, all text
                block.append(values)
                if candidates is not None:  # inline: this runs for every key of every row
                    for value in (name_key, *keys_of(values)):
                        if value:
                            slot = hash(value) & mask
                            if seen[slot]:
                                candidates.add(value)
                            else:
                                seen[slot] = 1
            if len(block) == size or len(held) >= INVALID_HELD:
                if candidates is not None and len(candidates) > CANDIDATES_KEPT:
                    self.candidates = candidates = None
                self._count(number, limit)
                yield block
                block = []
                if len(held) >= INVALID_HELD:
                    return
        if candidates is not None and len(candidates) > CANDIDATES_KEPT:
            self.candidates = None
        self._count(number, limit)
        self.done = True
        if block:
            yield block

    def _count(self, number: int, limit: int) -> None:
        if number > limit:
            raise ImportFailed(f"The file has more than {limit:,} rows; split it.")
        self.total = number
        if self.progress is not None:
            self.progress(self.total, self.invalid)

    def load(self, session: Session, rows: Iterator[list[str]]) -> None:
        """Stage every row of ``rows``."""
        postgres = session.get_bind().dialect.name == "postgresql"
        while not self.done:
            if postgres:
                # An empty name key (a company of punctuation only) is an empty string, not NULL.
                _copy(session, "leads", self.columns[:-len(DEFAULTED)], self._blocks(rows),
                      self.shared[:-len(DEFAULTED)], "FORCE_NOT_NULL (name_key)")
            else:
                insert = _insert(self.columns)
                for block in self._blocks(rows):
                    if block:
                        session.execute(insert, [self._typed(row) for row in block])
            self._write_held(session, postgres)

    def _typed(self, row: Sequence[str]) -> dict[str, Any]:
        """A staged row as typed values, for an INSERT: an empty field is NULL (but an empty name key)."""
        fields = len(self.checker.fields)
        name_key, letter, score, lead_id, number = row[fields:]
        values = (*(value or None for value in row[:fields]), name_key, letter, int(score), lead_id, int(number))
        return dict(zip(self.columns, (*values, *self.shared), strict=True))

    def _write_held(self, session: Session, postgres: bool) -> None:
        if not self.held:
            return
        if postgres:
            _copy(session, "lead_import_rows", REPORT_COLUMNS, iter([self.held]), ())
        else:
            session.execute(text(f"INSERT INTO lead_import_rows ({', '.join(REPORT_COLUMNS)}) "
                                 f"VALUES ({', '.join(':' + c for c in REPORT_COLUMNS)})"),
                            [dict(zip(REPORT_COLUMNS, row, strict=True)) for row in self.held])
        self.held.clear()


def _insert(columns: Sequence[str]) -> Any:
    return text(f"INSERT INTO leads ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})").bindparams(
        *(bindparam(c, type_=UtcDateTime()) for c in ("created_at", "updated_at", "last_activity_at")))


def _copy(session: Session, table: str, columns: Sequence[str], blocks: Iterator[list[Sequence[Any]]],
          shared: tuple[Any, ...], options: str = "") -> None:
    """COPY ``blocks`` of rows, each row followed by the ``shared`` values, into ``columns`` of ``table``."""
    lines = _Lines(blocks, shared)
    cursor = session.connection().connection.cursor()
    try:
        with_options = ", ".join(("FORMAT csv", "DELIMITER E'\\t'", *((options,) if options else ())))
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({with_options})", lines)
    except Exception:
        if lines.error is not None:  # psycopg2 reports a failed read as its own error: raise the cause
            raise lines.error from None
        raise
    finally:
        cursor.close()


class _Lines:
    """What COPY reads: each ``read`` formats the next block of rows, so the server ingests one block
    while the next is parsed. CSV with tabs between values (names like "Acme Co., Ltd." need no
    quotes) and CRLF line ends (so ``csv`` quotes a value holding a lone CR, which PostgreSQL would
    take for a line end); an empty unquoted value is NULL.

    A block of rows of text (the stager's, an empty string for NULL) is first joined plainly, which is
    right unless a value holds a tab, a quote or a line break: the block's counts of those tell, and
    only then (or for rows holding other values) is it written by ``csv``, quoting what needs it. The
    plain way takes a third of the time, and nearly every block takes it.
    The values every row shares (status, the job's id, its creator) are formatted once and end each
    line."""

    def __init__(self, blocks: Iterator[list[Sequence[Any]]], shared: tuple[Any, ...]) -> None:
        self._blocks, self._shared = blocks, shared
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter="\t", lineterminator="\r\n")
        self._end = "\t" + self._write([shared]) if shared else "\r\n"
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            block = next(self._blocks, None)
        except Exception as exc:
            self.error = exc
            raise
        if not block:
            return ""
        return self._plain(block) or self._write([(*row, *self._shared) for row in block])

    def _plain(self, block: list[Sequence[Any]]) -> str | None:
        end = self._end
        try:
            text = end.join(["\t".join(row) for row in block]) + end  # rows of text, as the stager's are
        except TypeError:  # a value that is not text (a NULL, a number): ``csv`` writes those
            return None
        rows = len(block)
        expected = {"\t": len(block[0]) - 1 + end.count("\t"), "\n": end.count("\n"), "\r": end.count("\r"),
                    '"': end.count('"')}
        return text if all(text.count(mark) == rows * n for mark, n in expected.items()) else None

    def _write(self, rows: list[tuple[Any, ...]]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(rows)
        return self._buffer.getvalue()

    def readline(self, size: int = -1) -> str:  # psycopg2 asks for it only on COPY TO
        return self.read(size)
