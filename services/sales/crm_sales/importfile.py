"""Reading an uploaded CSV or XLSX as a stream of rows, never the whole file in memory.

CSV: decoded incrementally (UTF-8 with or without BOM, GBK/GB18030), delimiter taken from the header
line (comma, semicolon or tab). XLSX: openpyxl's read-only mode over a temporary file. Anything that
is not a well-formed table raises ``ImportFailed`` with a reason a person can act on.
"""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
AUTO = ("utf-8", "gb18030")
DELIMITERS = (",", ";", "\t")


class ImportFailed(Exception):
    """The file as a whole cannot be imported; nothing of it is."""


class WrongEncoding(ImportFailed):
    pass


class _ChunkStream(io.RawIOBase):
    """A readable byte stream over an iterator of chunks. The current chunk is read through a
    memoryview at an offset: slicing off what was read would copy the rest of a 4 MB chunk per read."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        while self._offset >= len(self._pending):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            if b"\x00" in chunk:
                raise ImportFailed("This is not a text file (it holds NUL bytes). Save it as CSV (UTF-8 or GBK) "
                                   "or XLSX.")
            self._pending, self._offset = memoryview(chunk), 0
        size = min(len(buffer), len(self._pending) - self._offset)
        buffer[:size] = self._pending[self._offset:self._offset + size]
        self._offset += size
        return size


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(chunks: Iterable[bytes], encoding: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BufferedReader(_ChunkStream(chunks), 1 << 16), encoding=ENCODINGS[encoding],
                            errors="strict", newline="")
    reader = None
    try:
        first = text.readline()
        if not first.strip():
            raise ImportFailed("The file is empty or its first line (the header) is blank.")
        delimiter = _delimiter(first)
        reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter, strict=True)
        yield from reader
    except UnicodeDecodeError as exc:
        line = reader.line_num if reader else 0
        raise WrongEncoding(f"The file is not valid {encoding.upper()} text (byte {exc.start} of a line near "
                            f"line {line + 1}). Save it as UTF-8 or GBK, or name its encoding.") from None
    except csv.Error as exc:  # the reader has counted the lines of the record it failed on
        raise ImportFailed(f"Malformed CSV near line {reader.line_num if reader else 1}: {exc}.") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def xlsx_rows(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    """Rows of the first sheet; formulas come back as their text (stored, never evaluated)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        try:
            book = load_workbook(spool, read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise ImportFailed(f"This is not a readable XLSX workbook ({exc}).") from None
        try:
            sheet = book.worksheets[0] if book.worksheets else None
            if sheet is None:
                raise ImportFailed("The workbook has no sheet.")
            for values in sheet.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            book.close()


def rows(chunks: Iterable[bytes], fmt: str, encoding: str) -> Iterator[list[str]]:
    return xlsx_rows(chunks) if fmt == "xlsx" else csv_rows(chunks, encoding)
