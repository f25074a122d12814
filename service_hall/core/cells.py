"""Spreadsheet cells that stay text (formula injection, CSV/XLSX exports).

A value that starts with ``= + - @`` (or a tab or carriage return) is run as a formula by Excel and
other spreadsheet programs when the file is opened. Exports therefore write such text so that it
cannot run: in CSV behind a leading apostrophe (which the importer removes again), in XLSX as a
string cell, never as a formula cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell a spreadsheet will not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def from_csv_cell(text: str) -> str:
    """Undo :func:`csv_cell` on a cell read back from CSV."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV (CRLF, as Excel writes it) with every cell through :func:`csv_cell`; UTF-8 with BOM so
    that Excel reads it, or the ``encoding`` asked for."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def keep_as_text(cell: Any) -> Any:
    """Mark an openpyxl cell holding text that looks like a formula as a string cell; returns the cell."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def write_only_cell(sheet: Any, value: Any) -> Any:
    """The value for a row of an openpyxl write-only sheet: formula-like text as a string cell."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        return keep_as_text(WriteOnlyCell(sheet, value=value))
    return value
