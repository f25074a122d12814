"""Located import problems: every error of a rejected file, by row, column and reason (shared by every
importer: power lists, jurisdictions, staff, offices)."""

from __future__ import annotations

from dataclasses import dataclass

from service_hall.core.errors import ValidationFailed


@dataclass(frozen=True)
class Problem:
    """One problem in an uploaded list. ``row`` is the spreadsheet row (1-based, as Excel shows it) or
    the item's number in a JSON file; ``column`` the column header or the JSON field path."""

    message: str
    row: int | None = None
    column: str | None = None
    unit: str = "行"  # "项" for the items of a JSON file

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}{self.unit}")
        if self.column:
            where.append(f"“{self.column}”" + ("列" if self.unit == "行" else ""))
        return ("".join(where) + "：" if where else "") + self.message

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(ValidationFailed):
    """The whole file is rejected; ``problems`` lists every error found (nothing was imported)."""

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or f"文件未导入：发现{len(problems)}处问题，请修改后重新导入",
                         details=[str(p) for p in problems])
