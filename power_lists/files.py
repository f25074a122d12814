"""Reading and writing whole lists as JSON, CSV and XLSX files.

:func:`read_document` turns any uploaded file into a checked canonical document or raises
ImportRejected with every problem located; the file type is judged by content, not by the name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
import zipfile
from typing import Any, Literal

from marshmallow import ValidationError

from power_lists.document import ITEM_SCHEMA, canonical_item, item_problems, validate_document
from power_lists.errors import ImportRejected, Problem
from power_lists.schemas import FORMAT_VERSION, normalise_text
from power_lists.tabular import (
    HEADERS,
    Table,
    TownDirectory,
    column_for_path,
    has_guide_columns,
    header_key,
    item_to_row,
    normalise_cell,
    table_to_items,
)
from service_hall.core.cells import csv_bytes, from_csv_cell, write_only_cell
from service_hall.core.sheets import check_workbook_archive, decode_text

FileFormat = Literal["json", "csv", "xlsx"]
FORMATS: tuple[FileFormat, ...] = ("json", "csv", "xlsx")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Limits on what one upload may make the server do (a county's list has hundreds of items). A workbook's
# zip members are checked before anything is decompressed (service_hall/core/sheets.py).
MAX_ROWS = 20_000  # a county list has hundreds of items; a whole province's fits
MAX_COLUMNS = 200

_MAGIC = [
    (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"), (b"%PDF", "PDF 文件"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（.xls/.doc），请在 Excel 中另存为 .xlsx"), (b"Rar!", "RAR 压缩包"),
    (b"\x1f\x8b", "GZIP 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"),
]


def detect_format(filename: str, data: bytes) -> FileFormat:
    """Judge the file type by content (the extension only breaks ties).

    Raises ImportRejected for empty files, images, PDFs, old .xls and names that lie about the content.
    """
    name = filename.lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if not data.strip():
        raise ImportRejected([Problem("文件为空")])
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportRejected([Problem(f"文件内容是{what}，不是权力清单（支持 JSON、CSV、XLSX）")])
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        if extension not in {"xlsx", "xlsm", ""}:
            raise ImportRejected([Problem(f"文件扩展名为 .{extension}，但内容是压缩包或 Excel 工作簿，请核对文件")])
        return "xlsx"
    if extension in {"xlsx", "xlsm"}:
        raise ImportRejected([Problem(
            "文件扩展名为 .xlsx，但内容不是 Excel 工作簿（可能是其他格式的文件被改了扩展名）")])
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected([Problem("文件不是文本文件，无法作为 CSV 或 JSON 读取")])
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if extension == "json" or (extension != "csv" and head in {b"{", b"["}):
        return "json"
    return "csv"



def read_csv_table(data: bytes) -> tuple[Table, str]:
    """Raises ImportRejected for undecodable or malformed CSV."""
    text, encoding = decode_text(data)
    first = text.split("\n", 5)
    delimiter = "\t" if sum(line.count("\t") for line in first) > sum(line.count(",") for line in first) else ","
    rows = []
    try:
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if n > MAX_ROWS:
                raise _too_many_rows(n)
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns(n)
            rows.append((n, [normalise_cell(from_csv_cell(c)) for c in cells]))
    except csv.Error as exc:
        raise ImportRejected([Problem(f"CSV 格式错误：{exc}")]) from None
    return Table(rows), encoding


def _too_many_rows(row: int, sheet: str = "") -> ImportRejected:
    where = f"工作表“{sheet}”" if sheet else "文件"
    return ImportRejected([Problem(f"{where}超过 {MAX_ROWS} 行上限，此行起未读取；请核对文件或分批导入", row=row)])


def _too_many_columns(row: int, sheet: str = "") -> ImportRejected:
    where = f"工作表“{sheet}”" if sheet else "文件"
    return ImportRejected([Problem(f"{where}此行超过 {MAX_COLUMNS} 列上限，不是权力清单的表格", row=row)])


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> tuple[list[tuple[bytes, ...]], set[tuple[int, int]]]:
    """The sheet's merged ranges and its formula cells without a cached value, scanned in chunks (never
    the whole sheet XML in memory at once)."""
    merges: list[tuple[bytes, ...]] = []
    uncached: set[tuple[int, int]] = set()
    tail = b""

    def scan(part: bytes) -> None:
        merges.extend(_MERGE_RE.findall(part))
        uncached.update(_uncached_formulas(part))

    with archive.open(path) as xml:
        while chunk := xml.read(1 << 20):
            window = tail + chunk
            # Keep what may straddle the next chunk: an unclosed cell, else the last (partial) tag.
            cut = window.rfind(b"<c ")
            if cut < 0 or window.find(b"</c>", cut) >= 0:
                cut = window.rfind(b"<")
            if cut <= 0:
                cut = len(window)
            scan(window[:cut])
            tail = window[cut:]
    scan(tail)
    return merges, uncached


_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A cell holding a formula: <c r="B5" …><f>…</f><v>cached</v></c>; without <v> there is no value to read.
_FORMULA_CELL_RE = re.compile(rb'<c\s+r="([A-Z]+)(\d+)"[^>]*>((?:(?!</c>).)*?<f[\s>/](?:(?!</c>).)*?)</c>', re.S)


def _uncached_formulas(xml: bytes) -> set[tuple[int, int]]:
    from openpyxl.utils import column_index_from_string

    if b"<f" not in xml:
        return set()
    return {(int(row), column_index_from_string(col.decode()) - 1) for col, row, body in _FORMULA_CELL_RE.findall(xml)
            if re.search(rb"<v>[^<]+</v>", body) is None}


def read_xlsx_tables(data: bytes) -> list[Table]:
    """Every sheet as a table, merged cells filled with their top-left value.

    Uses openpyxl's streaming reader (several times faster) and reads the merged ranges, which that
    reader does not expose, from the sheet XML. Raises ImportRejected for damaged or truncated workbooks.
    """
    import openpyxl
    from openpyxl.utils import column_index_from_string
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook_archive(data)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles); irrelevant to the content.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            tables = []
            for sheet in workbook.worksheets:
                grid: list[list[Any]] = []
                for n, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1):
                    if n > MAX_ROWS:
                        raise _too_many_rows(n, sheet.title)
                    if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
                        raise _too_many_columns(n, sheet.title)
                    grid.append(list(values[:MAX_COLUMNS]))  # lists: merged ranges are filled in below
                # Merged cells are not reported in read-only mode; they are read from the sheet's XML, which
                # openpyxl exposes only through these private attributes (covered by the import tests).
                merges, uncached = _scan_sheet(workbook._archive, sheet._worksheet_path)  # type: ignore[attr-defined]
                for c1, r1, c2, r2 in merges:
                    top, left = int(r1), column_index_from_string(c1.decode())
                    bottom, right = int(r2), min(column_index_from_string(c2.decode()), MAX_COLUMNS)
                    if top > len(grid):
                        continue
                    value = grid[top - 1][left - 1] if left <= len(grid[top - 1]) else None
                    for r in range(top, min(bottom, len(grid)) + 1):
                        row = grid[r - 1]
                        if len(row) < right:
                            row.extend([None] * (right - len(row)))
                        for c in range(left, right + 1):
                            row[c - 1] = value
                tables.append(Table([(n, [normalise_cell(v) for v in row]) for n, row in enumerate(grid, start=1)],
                                    uncached=uncached))
            workbook.close()
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError, ValueError, TypeError) as exc:
        raise ImportRejected([Problem(f"文件已损坏或不完整，无法作为 XLSX 读取（{type(exc).__name__}）")]) from None
    except Exception as exc:  # openpyxl raises many kinds of errors on broken XML
        raise ImportRejected([Problem(f"文件已损坏，无法作为 XLSX 读取（{type(exc).__name__}）")]) from None
    return tables


def read_document(filename: str, data: bytes, towns: TownDirectory, *, county_code: str,
                  county_name: str = "", previous: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Read an uploaded list (JSON, CSV or XLSX) into a checked canonical document.

    ``previous`` (the canonical items of the version the import will replace) lets rows without a
    事项编码 keep the code of the item with the same name + 子项, and lets a table with list columns only
    keep the 办事指南 already completed for its items (see docs/power-list-format.md).

    Raises ImportRejected listing every problem (row, column, reason) — wrong type, wrong encoding,
    damaged file, unknown power types or delegation modes, duplicate codes or name + 子项, unknown towns,
    missing legal basis, promised time over the statutory one …
    """
    kind = detect_format(filename, data)
    if kind == "json":
        return _read_json(data, towns, county_code=county_code)
    if kind == "csv":
        table, encoding = read_csv_table(data)
        tables = [table]
    else:
        tables = read_xlsx_tables(data)
        encoding = ""
    problems: list[Problem] = []
    for table in tables:
        raw_items, problems = table_to_items(table, towns)
        if raw_items or (problems and not problems[0].message.startswith("未找到表头")):
            break
    else:
        hint = "；若文件来自 Excel 且含中文，请确认编码为 UTF-8 或 GBK" if encoding == "gb18030" else ""
        raise ImportRejected([Problem(problems[0].message + hint if problems else "表格中没有任何事项")])
    filled = fill_codes(raw_items, county_code, previous or [])
    items = _check_items(raw_items, problems, filled)
    if not has_guide_columns(table):
        carry_guides(items, previous or [])
    return {"format_version": FORMAT_VERSION, "county": {"code": county_code, "name": county_name},
            "version": {"number": None, "title": "", "status": None, "effective_from": None, "note": ""},
            "items": items}


def identity_key(name: str, sub_item: str) -> tuple[str, str]:
    """What identifies an item without a code: its name and 子项, blanks and bracket widths ignored."""
    return header_key(normalise_text(name or "")), header_key(normalise_text(sub_item or ""))


def generated_code(county_code: str, name: str, sub_item: str) -> str:
    """The stable code of an item the list gives none: ``Z`` + the county's 6-digit code + ``-`` + the
    first 10 hex digits (upper case) of SHA-256 over ``county|name|子项`` (name and 子项 as
    :func:`identity_key` normalises them). The same list imported twice yields the same codes."""
    key_name, key_sub = identity_key(name, sub_item)
    digest = hashlib.sha256(f"{county_code[:6]}|{key_name}|{key_sub}".encode()).hexdigest()[:10].upper()
    return f"Z{county_code[:6]}-{digest}"


def fill_codes(raw_items: list[tuple[int, dict[str, Any]]], county_code: str,
               previous: list[dict[str, Any]]) -> set[int]:
    """Give every row without a 事项编码 the code of the previous item with its name + 子项, else a
    generated one (:func:`generated_code`); returns the rows given a code."""
    known = {identity_key(i["name"], i.get("sub_item", "")): i["code"] for i in previous}
    filled = set()
    for row, raw in raw_items:
        if (raw.get("code") or "").strip() or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            continue
        key = identity_key(raw["name"], raw.get("sub_item") or "")
        raw["code"] = known.get(key) or generated_code(county_code, raw["name"], raw.get("sub_item") or "")
        filled.add(row)
    return filled


def carry_guides(items: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """Keep the 办事指南 of the previous version for items a guide-less table does not describe."""
    guides = {i["code"]: i.get("guide") for i in previous}
    for item in items:
        if item.get("guide") is None and guides.get(item["code"]) is not None:
            item["guide"] = guides[item["code"]]


def _check_items(raw_items: list[tuple[int, dict[str, Any]]], problems: list[Problem],
                 filled: set[int]) -> list[dict[str, Any]]:
    """Load every row through the item schema; rows without their own code are identified by name + 子项,
    so two of them (or one and a coded row) with the same name + 子项 are a duplicate."""
    schema = ITEM_SCHEMA
    items: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    seen_names: dict[tuple[str, str], tuple[int, bool]] = {}
    failed_rows = {p.row for p in problems}
    for row, raw in raw_items:
        code = raw.get("code")
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            key = identity_key(name, raw.get("sub_item") or "")
            if key in seen_names and (row in filled or seen_names[key][1]):
                what = "事项名称和子项" if key[1] else "事项名称"
                problems.append(Problem(f"{what}与第{seen_names[key][0]}行重复", row=row, column="事项名称"))
                continue
            seen_names.setdefault(key, (row, row in filled))
        if code and code in seen:
            problems.append(Problem(f"事项编码 {code} 与第{seen[code]}行重复", row=row, column="事项编码"))
        elif code:
            seen[code] = row
        try:
            loaded = schema.load(raw)
        except ValidationError as exc:
            failed = {p.column for p in problems if p.row == row}
            problems += [p for p in item_problems(exc.messages, row=row, column_for=column_for_path)
                         if p.column not in failed]
            continue
        if row not in failed_rows:
            items.append(canonical_item(loaded))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, HEADERS.index(p.column)
                                                             if p.column in HEADERS else 99)))
    return items


def _read_json(data: bytes, towns: TownDirectory, *, county_code: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.end >= len(data) and exc.reason == "unexpected end of data":
            # Valid UTF-8 up to a character cut in half: the file is incomplete, not in another encoding.
            raise ImportRejected([Problem("JSON 文件不完整（在文件末尾被截断），请重新导出或重新上传")]) from None
        raise ImportRejected([Problem("JSON 文件应使用 UTF-8 编码")]) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）：{exc.msg}")]) from None
    if isinstance(raw, dict) and isinstance(raw.get("items"), list) and len(raw["items"]) > MAX_ROWS:
        raise ImportRejected([Problem(f"清单超过 {MAX_ROWS} 项，未读取；请核对文件", column="items")])
    document = validate_document(raw)
    problems: list[Problem] = []
    county = document.get("county")
    if county and county.get("code") and county["code"] != county_code:
        problems.append(Problem(f"文件属于区划 {county['code']}，不是本县（{county_code}）的清单", column="county.code",
                                unit="项"))
    for index, item in enumerate(document["items"]):
        for j, delegation in enumerate(item["delegations"]):
            if not towns.check_code(delegation["town"]):
                problems.append(Problem(f"区划代码 {delegation['town']} 不是本县的乡镇（街道）", row=index + 1,
                                        column=f"items[{index}].delegations[{j}].town", unit="项"))
            else:
                delegation["town_name"] = towns.by_code[delegation["town"]]
    if problems:
        raise ImportRejected(problems)
    document["county"] = {"code": county_code, "name": (county or {}).get("name", "")}
    return document


# --- writing -------------------------------------------------------------------------------------

def write_json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_csv(document: dict[str, Any], *, encoding: str = "utf-8-sig") -> bytes:
    """UTF-8 with BOM by default so that Excel opens it correctly; ``gb18030`` for older tools."""
    rows = [HEADERS, *(item_to_row(item, position) for position, item in enumerate(document["items"], start=1))]
    return csv_bytes(rows, encoding=encoding)


def title_for(document: dict[str, Any]) -> str:
    county = (document.get("county") or {}).get("name") or ""
    meta = document.get("version") or {}
    number = f"（第{meta['number']}版）" if meta.get("number") else ""
    return f"{county}赋予乡镇（街道）县级行政权力事项清单{number}"


def write_xlsx(document: dict[str, Any]) -> bytes:
    """A workbook the way counties publish it: a merged title row above the header.

    Written in openpyxl's streaming mode (several times faster for thousands of rows).
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("赋权事项清单")
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 6 if header == "序号" else 18
    sheet.freeze_panes = "A3"
    title = WriteOnlyCell(sheet, value=title_for(document))
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(HEADERS))}1")
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for position, item in enumerate(document["items"], start=1):
        sheet.append([write_only_cell(sheet, v) for v in item_to_row(item, position)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_document(document: dict[str, Any], fmt: FileFormat) -> bytes:
    """Raises ValueError for an unknown format."""
    if fmt == "json":
        return write_json(document)
    if fmt == "csv":
        return write_csv(document)
    if fmt == "xlsx":
        return write_xlsx(document)
    raise ValueError(fmt)
