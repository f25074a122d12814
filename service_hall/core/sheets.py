"""Reading the small tables a county keeps in spreadsheets (jurisdictions, staff): CSV in UTF-8 (with or
without BOM) or GB18030, or the first sheet of an XLSX workbook, streamed with a row cap.

Cells come back as trimmed text (full-width and non-breaking spaces count as spaces); row numbers are
the ones the spreadsheet shows. Every failure is an ImportRejected with located problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from service_hall.core.cells import from_csv_cell
from service_hall.core.problems import ImportRejected, Problem

_NOT_TABLES = [
    (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"), (b"%PDF", "PDF 文件"),
    (b"\xd0\xcf\x11\xe0", "旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx"), (b"Rar!", "RAR 压缩包"),
    (b"\x1f\x8b", "GZIP 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"),
]
# A workbook is a zip: its members' sizes are checked before anything is decompressed, and Python's
# zipfile never yields more than a member declares, so a bomb is refused before it inflates.
MAX_ZIP_MEMBERS = 1_000
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 96 * 1024 * 1024
MAX_RATIO = 150  # uncompressed / compressed, checked for members above RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024
_NOTES = ("注：", "注:", "说明：", "说明:", "备注：", "备注:", "填表说明", "制表")
_SPACES = str.maketrans({"\u3000": " ", "\xa0": " ", "\t": " ", "\r": " ", "\n": " "})


def clean_text(value: Any) -> str:
    """A cell value as trimmed text: numbers without ``.0``, dates as ISO, full-width spaces as spaces."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).translate(_SPACES).split())


def clean_code(value: str) -> str:
    """A code cell with full-width digits made ASCII and inner spaces removed."""
    return unicodedata.normalize("NFKC", value).replace(" ", "")


@dataclass(frozen=True)
class Sheet:
    """The data rows under the header: ``rows`` holds (row number, {header: cell text})."""

    format: str  # "csv" or "xlsx"
    encoding: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    Raises ImportRejected when none fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRejected([Problem("无法识别文件编码（支持 UTF-8、GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”后重试")])


def _csv_rows(data: bytes, max_rows: int) -> tuple[list[tuple[int, list[str]]], str]:
    text, encoding = decode_text(data)
    head = text.split("\n", 5)
    delimiter = "\t" if sum(line.count("\t") for line in head) > sum(line.count(",") for line in head) else ","
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > max_rows:
                raise ImportRejected([Problem(f"文件超过 {max_rows} 行的上限，请拆分或核对文件")])
            rows.append((number, [clean_text(from_csv_cell(c)) for c in cells]))
    except csv.Error as exc:
        raise ImportRejected([Problem(f"CSV 格式错误：{exc}")]) from None
    return rows, encoding


def check_workbook_archive(data: bytes) -> None:
    """Refuse a workbook whose zip members would inflate beyond the limits, before reading any of them.

    Raises ImportRejected naming the member (too many members, too large, compressed too well, damaged).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportRejected([Problem(f"文件已损坏或不完整，无法作为 XLSX 读取（{type(exc).__name__}）")]) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRejected([Problem(f"工作簿包含 {len(members)} 个部件，超过 {MAX_ZIP_MEMBERS} 个上限")])
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_MEMBER_BYTES or (member.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise ImportRejected([Problem(
                f"工作簿部件 {member.filename} 解压后 {member.file_size // (1024 * 1024)} MB"
                f"（压缩比 {ratio:.0f}:1），超出允许范围，疑似压缩炸弹，未读取")])
    if total > MAX_TOTAL_BYTES:
        raise ImportRejected([Problem(f"工作簿解压后共 {total // (1024 * 1024)} MB，超过 "
                                      f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB 上限，未读取")])


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook_archive(data)
    rows: list[tuple[int, list[str]]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles); irrelevant to the content.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise ImportRejected([Problem("工作簿中没有工作表")])
                sheet = workbook.worksheets[0]
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if number > max_rows:
                        raise ImportRejected([Problem(
                            f"工作表“{sheet.title}”超过 {max_rows} 行的上限，请拆分或核对文件")])
                    rows.append((number, [clean_text(v) for v in values]))
            finally:
                workbook.close()
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError, ValueError, TypeError) as exc:
        raise ImportRejected([Problem(f"文件已损坏或不完整，无法作为 XLSX 读取（{type(exc).__name__}）")]) from None
    except Exception as exc:  # openpyxl raises many kinds of errors on broken XML
        raise ImportRejected([Problem(f"文件已损坏，无法作为 XLSX 读取（{type(exc).__name__}）")]) from None
    return rows


def read_sheet(filename: str, data: bytes, *, required: list[str], optional: list[str],
               synonyms: dict[str, str] | None = None, max_rows: int = 10000) -> Sheet:
    """Read a CSV or XLSX file (judged by content, not by the name) into rows keyed by header.

    The header is the first row, among the first 20, holding every ``required`` column (so merged title
    rows above it are skipped); ``synonyms`` maps other header words to the canonical ones; empty rows
    are dropped. Raises ImportRejected for an empty, damaged, oversized or wrongly typed file, or a
    missing column.
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRejected([Problem("文件为空")])
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            raise ImportRejected([Problem(f"文件内容是{what}，不是表格（支持 CSV、XLSX）")])
    extension = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    encoding: str | None = None
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        fmt = "xlsx"
        grid = _xlsx_rows(data, max_rows)
    elif extension in {"xlsx", "xlsm"}:
        raise ImportRejected([Problem("文件扩展名为 .xlsx，但内容不是 Excel 工作簿（可能被改了扩展名）")])
    elif b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected([Problem("文件不是文本文件，无法作为 CSV 读取")])
    else:
        fmt = "csv"
        grid, encoding = _csv_rows(data, max_rows)
    known = {name: name for name in [*required, *optional]}
    known.update(synonyms or {})

    def canonical(cell: str) -> str:
        key = cell.replace(" ", "").lstrip("*＊").rstrip("*＊")
        return known.get(key, key)

    found = next(((i, [canonical(c) for c in cells]) for i, (_, cells) in enumerate(grid[:20])
                  if all(r in [canonical(c) for c in cells] for r in required)), None)
    if found is None:
        if not any(any(cells) for _, cells in grid):
            raise ImportRejected([Problem("文件为空")])
        raise ImportRejected([Problem("未找到表头：文件须包含以下列：" + "、".join(required))])
    index, names = found
    header_row = grid[index][0]
    problems = []
    columns: dict[int, str] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in columns.values():
            problems.append(Problem(f"表头“{name}”重复", row=header_row))
        elif name in known.values():
            columns[i] = name
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in grid[index + 1:]:
        filled = [c for c in cells if c]
        if not filled or (len(filled) == 1 and filled[0].startswith(_NOTES)):
            continue  # empty rows, and notes such as "注：…" under the table
        rows.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in columns.items()}))
    if not rows:
        raise ImportRejected([Problem("表头下没有数据行")])
    return Sheet(fmt, encoding, header_row, list(columns.values()), rows)
