"""The list as a table with the Chinese column headers counties publish (CSV and XLSX).

One row is one item (a 子项 is its own row with its own 事项编码). Nested lists live in one cell,
one entry per line:

- 设定依据 / 实施依据: ``《法律法规名称》条款：条文`` (条文 optional), e.g. ``《中华人民共和国城乡规划法》第四十一条``.
  On import a line may also read ``城乡规划法第四十一条`` and several entries on one line may be
  separated by ``；`` before a ``《``.
- 赋权乡镇: ``330199101000 青山镇`` (the 12-digit code, the name, or both). The 生效日期 / 截止日期 columns
  apply to every town of the row; a town whose dates differ carries its own in brackets:
  ``330199102000 白沙镇（2026-03-01至2026-12-31）``, ``（至2026-12-31）``, ``（2026-03-01至）``.
  ``全部乡镇（街道）`` means every town of the county.
- 追责情形: ``代码：情形``; 追责依据: ``代码：依据`` (matched by code; lines without a code are matched by
  position and get the codes ``case_1``, ``case_2`` …).
- 申请材料: ``编码｜名称｜来源渠道｜纸质份数｜材料形式｜必要性｜容缺``, e.g.
  ``M01｜居民身份证｜申请人自备｜1｜复印件｜必要｜不容缺`` (``|`` works too; trailing parts may be left out).
- Yes/no columns: ``是`` / ``否``. Dates: ``YYYY-MM-DD``. Time limits: whole working days.

Reading tolerates what real spreadsheets contain: title rows above the header, a two-row header
(``责任事项`` over ``受理 / 审查 / …``), merged cells, full-width spaces, blank rows and columns, and
notes under the table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from power_lists.errors import Problem
from power_lists.models import (
    DELEGATION_MODE_LABELS,
    DUTY_STAGE_LABELS,
    ONLINE_DEPTH_LABELS,
    POWER_TYPE_LABELS,
    CaseType,
    DelegationMode,
    DutyStage,
    PowerType,
)
from power_lists.schemas import normalise_text

ALL_TOWNS = "全部乡镇（街道）"


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and user-facing."""


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # the canonical field the column fills ("" for 序号)
    aliases: tuple[str, ...] = ()
    required: bool = False


def _responsibility_columns() -> list[Column]:
    return [Column(f"责任事项-{DUTY_STAGE_LABELS[s]}", f"responsibilities.{s.value}",
                   (f"{DUTY_STAGE_LABELS[s]}责任", f"{DUTY_STAGE_LABELS[s]}环节责任")) for s in DutyStage]


# The one table of header words (docs/power-list-format.md "Header words" is generated from it and a test
# keeps the two identical): the first word is what exports write, the others are what published lists use.
COLUMNS: list[Column] = [
    Column("序号", "", ("编号", "排序")),
    Column("事项名称", "name", ("赋权事项", "赋权事项名称", "权力事项名称", "主项名称", "事项名称（主项）", "权力名称",
                            "权力事项", "下放事项", "下放事项名称", "职权名称", "行政权力事项名称",
                            "事项名称（主项名称）", "赋予乡镇（街道）的权力事项"), True),
    Column("子项", "sub_item", ("子项名称", "事项名称（子项）", "子项事项")),
    Column("事项编码", "code", ("权力编码", "编码", "事项代码", "权力事项编码", "基本编码", "事项编号")),
    Column("职权类型", "power_type", ("权力类型", "事项类型", "职权类别", "权力类别", "事项类别", "权力分类"), True),
    Column("设定依据", "setting_basis", ("法律依据", "法律法规依据", "法定依据", "设定依据及条款", "依据",
                                      "法律法规规章依据", "法律法规及政策依据"), True),
    Column("实施依据", "implementing_basis", ("行使依据", "实施依据及条款")),
    Column("原实施部门", "original_department", ("原实施主体", "实施部门", "原行使部门", "原实施单位", "原实施机关",
                                          "县级主管部门", "主管部门", "委托机关", "委托部门", "原职权部门",
                                          "原执法主体", "县级实施部门")),
    Column("承接主体", "receiving_body", ("承接单位", "承接部门", "责任主体", "承接机关", "实施主体", "执法主体",
                                     "承接主体（乡镇街道）")),
    Column("赋权方式", "delegation_mode", ("下放方式", "赋权形式", "赋权类型", "实施方式", "下放形式"), True),
    Column("赋权乡镇", "delegations", ("赋权范围", "承接乡镇", "赋权乡镇（街道）", "赋权镇街", "实施范围", "下放范围",
                                   "赋权乡镇街道", "适用范围", "承接乡镇（街道）", "下放乡镇（街道）", "赋权对象",
                                   "实施乡镇（街道）"), True),
    Column("生效日期", "valid_from", ("起始日期", "赋权日期", "实施日期", "施行日期")),
    Column("截止日期", "valid_until", ("终止日期",)),
    *_responsibility_columns(),
    Column("追责情形", "accountability", ("追责问责情形", "问责情形", "追责情形及责任")),
    Column("追责依据", "accountability_basis", ("问责依据", "追责问责依据")),
    Column("是否受理申请", "accepts_applications"),
    Column("两人以上审查", "two_reviewers"),
    Column("审查与决定分离", "separate_decider"),
    Column("受理条件", "guide.conditions", ("申请条件", "办理条件")),
    Column("申请材料", "guide.materials"),
    Column("办件类型", "guide.case_type", ("办理类型",)),
    Column("法定办结时限（工作日）", "guide.statutory_days", ("法定办结时限", "法定时限", "法定期限")),
    Column("承诺办结时限（工作日）", "guide.promised_days", ("承诺办结时限", "承诺时限", "承诺期限")),
    Column("是否收费", "guide.fee_charged"),
    Column("收费标准", "guide.fee_standard"),
    Column("收费依据", "guide.fee_basis"),
    Column("到办事现场次数", "guide.visits", ("到现场次数", "跑动次数")),
    Column("网上办理深度", "guide.online_depth"),
    Column("告知承诺制", "guide.pledge_allowed", ("是否实行告知承诺制",)),
    Column("审批结果名称", "guide.result_name", ("办理结果名称", "结果名称")),
    Column("审批结果类型", "guide.result_type", ("办理结果类型", "结果类型")),
    Column("审批结果有效期", "guide.result_validity"),
    Column("咨询方式", "guide.consult", ("咨询电话",)),
    Column("监督投诉方式", "guide.complaint", ("投诉电话", "监督投诉电话")),
    Column("备注", "note", ("说明",)),
]
HEADERS = [c.header for c in COLUMNS]
_BY_PATH = {c.path: c for c in COLUMNS if c.path}
GUIDE_PATHS = [c.path for c in COLUMNS if c.path.startswith("guide.")]


def header_key(value: str) -> str:
    """Header text normalised for matching: no blanks, half-width brackets."""
    value = re.sub(r"\s+", "", value.replace("\u3000", ""))
    return value.replace("(", "（").replace(")", "）").replace("－", "-").replace("—", "-")


_HEADER_INDEX: dict[str, Column] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases):
        _HEADER_INDEX[header_key(_name)] = _col
# 责任事项 in one cell ("受理责任：…；审查责任：…"), split by stage on reading.
COMBINED_RESPONSIBILITIES = ("责任事项", "责任事项内容", "责任事项（按环节）", "主要责任事项", "履职责任")
for _name in COMBINED_RESPONSIBILITIES:
    _HEADER_INDEX[header_key(_name)] = Column("责任事项", "responsibilities")
DEFAULT_RECEIVING_BODY = "乡镇人民政府（街道办事处）"


def column_for_path(path: str) -> str:
    """The column header a field path comes from (for locating problems)."""
    if path.startswith("delegations"):
        return "赋权乡镇"
    if path.startswith("accountability"):
        return "追责依据" if path.endswith(".basis") else "追责情形"
    head = path.split("[")[0]
    parts = head.split(".")
    while parts:
        key = ".".join(parts)
        if key in _BY_PATH:
            return _BY_PATH[key].header
        parts.pop()
    if path.startswith("guide"):
        return "办事指南"
    return path or "整行"


# --- cell codecs ---------------------------------------------------------------------------------

_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "无", "n", "no", "false", "0", "×", ""}


def read_bool(value: str) -> bool:
    key = value.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"应填写“是”或“否”，而不是“{value}”")


def write_bool(value: bool) -> str:
    return "是" if value else "否"


_POWER_TYPES = {**{label: t for t, label in POWER_TYPE_LABELS.items()}, **{t.value: t for t in PowerType},
                "其他": PowerType.OTHER, "其他权力": PowerType.OTHER}
_MODES = {**{label: m for m, label in DELEGATION_MODE_LABELS.items()}, **{m.value: m for m in DelegationMode},
          "交由行使": DelegationMode.DEVOLVED, "下放（交由行使）": DelegationMode.DEVOLVED,
          "下放行使": DelegationMode.DEVOLVED, "委托行使": DelegationMode.ENTRUSTED,
          "委托实施": DelegationMode.ENTRUSTED, "前移": DelegationMode.FRONT_WINDOW,
          "受理前移": DelegationMode.FRONT_WINDOW, "窗口前移（受理）": DelegationMode.FRONT_WINDOW}
_CASE_TYPES = {"即办件": CaseType.IMMEDIATE, "承诺件": CaseType.PROMISED, "immediate": CaseType.IMMEDIATE,
               "promised": CaseType.PROMISED}


def read_power_type(value: str) -> str:
    found = _POWER_TYPES.get(header_key(value))
    if found is None:
        raise CellError(f"未知的职权类型“{value}”，应为：" + "、".join(POWER_TYPE_LABELS.values()))
    return found.value


def read_mode(value: str) -> str:
    found = _MODES.get(header_key(value))
    if found is None:
        raise CellError(f"未知的赋权方式“{value}”，应为：下放、委托、窗口前移")
    return found.value


def read_case_type(value: str) -> str:
    found = _CASE_TYPES.get(header_key(value))
    if found is None:
        raise CellError(f"未知的办件类型“{value}”，应为：即办件、承诺件")
    return found.value


def read_int(value: str, what: str) -> int:
    text = value.strip().removesuffix("个工作日").removesuffix("工作日").removesuffix("天").removesuffix("次").strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise CellError(f"{what}应为整数，而不是“{value}”")


def read_online_depth(value: str) -> int:
    text = value.strip()
    for number, label in ONLINE_DEPTH_LABELS.items():
        if text in {str(number), label, label[:2], label[3:-1]}:
            return number
    match = re.match(r"^([一二三四1-4])级", text)
    if match:
        return "一二三四".index(match.group(1)) + 1 if match.group(1) in "一二三四" else int(match.group(1))
    raise CellError(f"网上办理深度应为1至4级（如“四级（全程网办）”），而不是“{value}”")


def read_date(value: str, what: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    text = text.replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})\s*[-年]\s*(\d{1,2})\s*[-月]\s*(\d{1,2})\s*日?", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            pass
    raise CellError(f"{what}“{value}”不是有效日期，应为 YYYY-MM-DD")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.split("\n") if line.strip()]


_BASIS_RE = re.compile(r"^《(?P<law>[^》]+)》\s*(?P<article>[^：:]*?)\s*(?:[：:]\s*(?P<text>.*))?$")
_LOOSE_BASIS_RE = re.compile(r"^(?P<law>.+?)\s*(?P<article>第[一二三四五六七八九十百千零〇\d]+条[^：:]*?)"
                             r"\s*(?:[：:]\s*(?P<text>.*))?$")


def read_basis(value: str) -> list[dict[str, str]]:
    entries = []
    for line in _lines(value):
        for part in re.split(r"[；;]\s*(?=《)", line):
            part = part.strip().rstrip("；;")
            if not part:
                continue
            match = _BASIS_RE.match(part) or _LOOSE_BASIS_RE.match(part)
            if not match or not match.group("article"):
                raise CellError(f"依据“{part}”应写明法律法规名称和条款，格式如“《中华人民共和国城乡规划法》第四十一条”")
            entries.append({"law": match.group("law").strip(), "article": match.group("article").strip(),
                            "text": (match.group("text") or "").strip()})
    return entries


def write_basis(entries: Iterable[dict[str, str]]) -> str:
    return "\n".join(f"《{e['law']}》{e['article']}" + (f"：{e['text']}" if e.get("text") else "") for e in entries)


_CODE_LINE = re.compile(r"^(?P<code>[a-z][a-z0-9_]{1,63})\s*[：:]\s*(?P<rest>.*)$")


def read_accountability(situations: str, bases: str) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    for n, line in enumerate(_lines(situations), start=1):
        match = _CODE_LINE.match(line)
        code, text = (match.group("code"), match.group("rest")) if match else (f"case_{n}", _strip_number(line))
        cases.append({"code": code, "situation": text.strip(), "basis": ""})
    by_code = {c["code"]: c for c in cases}
    loose: list[str] = []
    for line in _lines(bases):
        match = _CODE_LINE.match(line)
        if match and match.group("code") in by_code:
            by_code[match.group("code")]["basis"] = match.group("rest").strip()
        elif match:
            raise CellError(f"追责依据中的代码“{match.group('code')}”在追责情形中不存在")
        else:
            loose.append(_strip_number(line))
    if loose:
        if len(loose) == 1 and len(cases) > 1:
            loose = loose * len(cases)  # one basis for every case
        if len(loose) != len(cases):
            raise CellError(f"追责依据有{len(loose)}条，追责情形有{len(cases)}条，无法逐条对应；请用“代码：内容”标明")
        for case, basis in zip(cases, loose, strict=True):
            case["basis"] = case["basis"] or basis
    return cases


def _strip_number(line: str) -> str:
    return re.sub(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*", "", line).strip()


def write_accountability(cases: Iterable[dict[str, str]]) -> tuple[str, str]:
    cases = list(cases)
    return ("\n".join(f"{c['code']}：{c['situation']}" for c in cases),
            "\n".join(f"{c['code']}：{c['basis']}" for c in cases))


_REQUIRED = {"必要": True, "必须": True, "必需": True, "是": True, "非必要": False, "可选": False, "选填": False,
             "否": False, "容缺": False}


def read_materials(value: str) -> list[dict[str, Any]]:
    materials = []
    for line in _lines(value):
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        if len(parts) < 2 or len(parts) > 7:
            raise CellError(f"申请材料“{line}”格式应为“编码｜名称｜来源渠道｜纸质份数｜材料形式｜必要性｜容缺”")
        parts += [""] * (7 - len(parts))
        code, name, source, copies, form, needed, deferrable = parts
        material: dict[str, Any] = {"code": code, "name": name, "source": source or "申请人自备",
                                    "paper_copies": read_int(copies, "纸质份数") if copies else 1,
                                    "form": form or "原件"}
        if needed and needed not in _REQUIRED:
            raise CellError(f"材料 {code} 的必要性应为“必要”或“非必要”，而不是“{needed}”")
        material["required"] = _REQUIRED.get(needed, True)
        if deferrable in {"容缺", "可容缺", "允许容缺", "是"}:
            material["deferrable"] = True
        elif deferrable in {"", "不容缺", "不可容缺", "否"}:
            material["deferrable"] = False
        else:
            raise CellError(f"材料 {code} 的容缺应为“可容缺”或“不容缺”，而不是“{deferrable}”")
        materials.append(material)
    return materials


def write_materials(materials: Iterable[dict[str, Any]]) -> str:
    # Rows stored before a field existed lack it: write the schema's defaults rather than fail.
    return "\n".join("｜".join([m["code"], m["name"], m.get("source") or "申请人自备", str(m.get("paper_copies", 1)),
                               m.get("form") or "原件", "必要" if m.get("required", True) else "非必要",
                               "可容缺" if m.get("deferrable") else "不容缺"])
                     for m in materials)


@dataclass
class TownDirectory:
    """The towns of one county, to resolve 赋权乡镇 by code or by name."""

    by_code: dict[str, str] = field(default_factory=dict)  # code -> name

    def resolve(self, text: str) -> str:
        """Raises CellError for a town that is not in the county."""
        code_match = re.match(r"^(\d{12})", text)
        if code_match:
            code = code_match.group(1)
            if code not in self.by_code:
                raise CellError(f"区划代码 {code} 不是本县的乡镇（街道）")
            named = text[len(code):].strip(" \t:：-—")
            town_name = self.by_code[code]
            if named and named not in {town_name, town_name + "人民政府", town_name + "办事处"}:
                raise CellError(f"区划代码 {code} 是{town_name}，与所写名称“{named}”不一致")
            return code
        name = text.strip()
        for code, town_name in self.by_code.items():
            if name in {town_name, town_name + "人民政府", town_name + "办事处"}:
                return code
        raise CellError(f"未找到乡镇（街道）“{name}”")

    def check_code(self, code: str) -> bool:
        return code in self.by_code


_TOWN_LINE = re.compile(r"^(?P<town>[^（(]+?)\s*(?:[（(]\s*(?P<from>[\d\-/.年月日]*)\s*(?P<sep>至|~|～|—|－|-{1,2})?\s*"
                        r"(?P<until>[\d\-/.年月日]*)\s*(?:起)?[)）])?$")


def read_delegations(value: str, valid_from: str, valid_until: str, towns: TownDirectory) -> list[dict[str, Any]]:
    """Raises CellError listing every town that cannot be read (joined in one message)."""
    default_from = read_date(valid_from, "生效日期") if valid_from else None
    default_until = read_date(valid_until, "截止日期") if valid_until else None
    out: list[dict[str, Any]] = []
    errors: list[str] = []
    for line in _lines(value.replace("、", "\n").replace("，", "\n").replace(",", "\n")):
        if header_key(line) in {header_key(ALL_TOWNS), "全部乡镇", "全县各乡镇（街道）", "全部"}:
            out += [{"town": code, "town_name": name, "valid_from": default_from, "valid_until": default_until}
                    for code, name in sorted(towns.by_code.items())]
            continue
        match = _TOWN_LINE.match(line)
        if not match:
            errors.append(f"无法识别“{line}”")
            continue
        try:
            code = towns.resolve(match.group("town"))
            if match.group("from") or match.group("until") or match.group("sep"):
                start = read_date(match.group("from") or "", "生效日期")
                end = read_date(match.group("until") or "", "截止日期")
            else:
                start, end = default_from, default_until
        except CellError as exc:
            errors.append(str(exc))
            continue
        out.append({"town": code, "town_name": towns.by_code[code], "valid_from": start, "valid_until": end})
    if errors:
        raise CellError("；".join(errors))
    return out


def write_delegations(delegations: list[dict[str, Any]]) -> tuple[str, str, str]:
    """(赋权乡镇, 生效日期, 截止日期): shared dates go to the date columns, differing ones into the lines."""
    ranges = {(d["valid_from"], d["valid_until"]) for d in delegations}
    if len(ranges) <= 1:
        start, end = next(iter(ranges)) if ranges else (None, None)
        lines = [f"{d['town']} {d.get('town_name') or ''}".strip() for d in delegations]
        return "\n".join(lines), start or "", end or ""
    lines = [f"{d['town']} {d.get('town_name') or ''}".strip()
             + f"（{d['valid_from'] or ''}至{d['valid_until'] or ''}）" for d in delegations]
    return "\n".join(lines), "", ""


def write_delegation_lines(delegations: list[dict[str, Any]]) -> str:
    """One line per town with its own dates (for the item edit form, which has no date columns)."""
    lines = []
    for d in delegations:
        line = f"{d['town']} {d.get('town_name') or ''}".strip()
        if d["valid_from"] or d["valid_until"]:
            line += f"（{d['valid_from'] or ''}至{d['valid_until'] or ''}）"
        lines.append(line)
    return "\n".join(lines)


_STAGE_SPLIT = re.compile(r"(受理|审查|决定|送达|事后监管|监管|其他)(?:阶段|环节)?责任\s*[：:]")
_STAGE_WORDS = {**{label: stage.value for stage, label in DUTY_STAGE_LABELS.items()},
                "监管": DutyStage.SUPERVISION.value}
# What separates one segment from the next: "；", a line end, a number such as "2." or "（二）".
_SEGMENT_TAIL = re.compile(r"(?:[\s；;，,]|(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]"
                           r"|[（(][一二三四五六七八九十\d]+[)）])*$")


def read_combined_responsibilities(value: str) -> dict[str, str]:
    """One 责任事项 cell split by stage: ``受理责任：…；审查责任：…`` segments or numbered lines
    (``1.受理责任：…`` / ``（二）审查环节责任：…``); text before the first stage goes to 其他."""
    parts = _STAGE_SPLIT.split(value)
    out = {stage.value: "" for stage in DutyStage}
    if len(parts) == 1:
        out["other"] = value.strip()
        return out
    head = _SEGMENT_TAIL.sub("", parts[0]).strip()
    if head:
        out["other"] = head
    for label, text in zip(parts[1::2], parts[2::2], strict=True):
        key = _STAGE_WORDS[label]
        text = _SEGMENT_TAIL.sub("", text).strip()
        out[key] = (out[key] + "\n" + text).strip() if out[key] else text
    return out


# --- rows ↔ items --------------------------------------------------------------------------------

def item_to_row(item: dict[str, Any], position: int) -> list[Any]:
    """One canonical item as the cells of a row, in ``COLUMNS`` order (ints stay ints)."""
    towns, start, end = write_delegations(item["delegations"])
    situations, bases = write_accountability(item["accountability"])
    guide = item.get("guide")
    values: dict[str, Any] = {
        "": position, "name": item["name"], "sub_item": item["sub_item"], "code": item["code"],
        "power_type": POWER_TYPE_LABELS[PowerType(item["power_type"])],
        "setting_basis": write_basis(item["setting_basis"]),
        "implementing_basis": write_basis(item["implementing_basis"]),
        "original_department": item["original_department"], "receiving_body": item["receiving_body"],
        "delegation_mode": DELEGATION_MODE_LABELS[DelegationMode(item["delegation_mode"])],
        "delegations": towns, "valid_from": start, "valid_until": end,
        "accountability": situations, "accountability_basis": bases,
        "accepts_applications": write_bool(item["accepts_applications"]),
        "two_reviewers": write_bool(item["two_reviewers"]),
        "separate_decider": write_bool(item["separate_decider"]), "note": item["note"],
    }
    for stage in DutyStage:
        values[f"responsibilities.{stage.value}"] = item["responsibilities"].get(stage.value, "")
    if guide is not None:
        values.update({
            "guide.conditions": guide["conditions"], "guide.materials": write_materials(guide["materials"]),
            "guide.case_type": CaseType(guide["case_type"]).label if guide.get("case_type") else "",
            "guide.statutory_days": _blank_none(guide.get("statutory_days")),
            "guide.promised_days": _blank_none(guide.get("promised_days")),
            "guide.fee_charged": write_bool(guide["fee_charged"]),
            "guide.fee_standard": guide["fee_standard"], "guide.fee_basis": guide["fee_basis"],
            "guide.visits": guide["visits"], "guide.online_depth": ONLINE_DEPTH_LABELS[guide["online_depth"]],
            "guide.pledge_allowed": write_bool(guide["pledge_allowed"]), "guide.result_name": guide["result_name"],
            "guide.result_type": guide["result_type"], "guide.result_validity": guide["result_validity"],
            "guide.consult": guide["consult"], "guide.complaint": guide["complaint"],
        })
    return [values.get(c.path, "") for c in COLUMNS]


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


_GUIDE_READERS: dict[str, Callable[[str], Any]] = {
    "guide.materials": read_materials,
    "guide.case_type": read_case_type,
    "guide.statutory_days": lambda v: read_int(v, "法定办结时限"),
    "guide.promised_days": lambda v: read_int(v, "承诺办结时限"),
    "guide.fee_charged": read_bool,
    "guide.visits": lambda v: read_int(v, "到办事现场次数"),
    "guide.online_depth": read_online_depth,
    "guide.pledge_allowed": read_bool,
}


GUIDE_READERS = _GUIDE_READERS  # the readers of the guide cells that are not plain text


def row_to_item(cells: dict[str, str], towns: TownDirectory, row: int | None) -> tuple[dict[str, Any], list[Problem]]:
    """Cells (path → text) of one row as a raw item for ``ItemSchema``; cell-level problems located."""
    problems: list[Problem] = []
    item: dict[str, Any] = {}

    def cell(path: str) -> str:
        return cells.get(path, "")

    def attempt(path: str, reader: Callable[[], Any], header: str | None = None) -> Any:
        try:
            return reader()
        except CellError as exc:
            problems.append(Problem(str(exc), row=row, column=header or column_for_path(path)))
            return None

    for path in ("name", "sub_item", "code", "original_department", "receiving_body", "note"):
        if path in cells:
            item[path] = cell(path)
    for path, read in (("power_type", read_power_type), ("delegation_mode", read_mode)):
        if cell(path):
            item[path] = attempt(path, partial(read, cell(path)))
    for path in ("setting_basis", "implementing_basis"):
        if cell(path):
            value = attempt(path, partial(read_basis, cell(path)))
            if value is not None:
                item[path] = value
    if "setting_basis" not in item and not any(p.column == "设定依据" for p in problems):
        item["setting_basis"] = []
    value = attempt("delegations", lambda: read_delegations(cell("delegations"), cell("valid_from"),
                                                            cell("valid_until"), towns))
    item["delegations"] = value or []
    duties = ({k: v for k, v in read_combined_responsibilities(cell("responsibilities")).items() if v}
              if cell("responsibilities") else {})
    for stage in DutyStage:
        text = cell(f"responsibilities.{stage.value}")
        if text:
            duties[stage.value] = text
    item["responsibilities"] = duties
    if cell("accountability") or cell("accountability_basis"):
        value = attempt("accountability", lambda: read_accountability(cell("accountability"),
                                                                      cell("accountability_basis")))
        if value is not None:
            item["accountability"] = value
    for path in ("accepts_applications", "two_reviewers", "separate_decider"):
        if cell(path):
            item[path] = attempt(path, partial(read_bool, cell(path)))
    if any(cell(p) for p in GUIDE_PATHS):
        guide: dict[str, Any] = {}
        for path in GUIDE_PATHS:
            key = path.split(".", 1)[1]
            if not cell(path):
                continue
            guide_reader = _GUIDE_READERS.get(path)
            if guide_reader is None:
                guide[key] = cell(path)
            else:
                value = attempt(path, partial(guide_reader, cell(path)))
                if value is not None:
                    guide[key] = value
        item["guide"] = guide
    # A failed cell must not also be reported as "missing" by the schema.
    return {k: v for k, v in item.items() if v is not None}, problems


def normalise_cell(value: Any) -> str:
    """Any cell value (openpyxl gives numbers, dates, None) as normalised text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise_text(str(value))


@dataclass
class Table:
    """A grid of text cells with 1-based row numbers as the source file shows them."""

    rows: list[tuple[int, list[str]]]
    # (row number, 0-based column) of formulas saved without a computed value: unreadable, reported.
    uncached: set[tuple[int, int]] = field(default_factory=set)


_STAGE_LABELS = set(DUTY_STAGE_LABELS.values())
_NOTE = re.compile(r"^(注|说明|备注|附|填报|制表|来源)")


def locate_header(table: Table) -> tuple[int, dict[int, str], int] | None:
    """Find the header row: (index into table.rows, column index → canonical path, first data index)."""
    for index, (_, cells) in enumerate(table.rows[:30]):
        keys = [header_key(c) for c in cells]
        found = {i: _HEADER_INDEX[k] for i, k in enumerate(keys) if k in _HEADER_INDEX}
        paths = {c.path for c in found.values()}
        if "name" not in paths or not ({"code", "power_type"} & paths):
            continue
        mapping = {i: col.path for i, col in found.items()}
        data_start = index + 1
        # A second header row under a merged "责任事项" (受理 / 审查 / …).
        if data_start < len(table.rows):
            sub = table.rows[data_start][1]
            if "责任事项" in keys and any(header_key(c) in _STAGE_LABELS for c in sub):
                parent = ""
                for i, text in enumerate(sub):
                    head = header_key(cells[i]) if i < len(cells) else ""
                    parent = head or parent
                    child = header_key(text)
                    if child in _STAGE_LABELS and parent.startswith("责任事项"):
                        stage = next(s for s, label in DUTY_STAGE_LABELS.items() if label == child)
                        mapping[i] = f"responsibilities.{stage.value}"
                data_start += 1
        return index, mapping, data_start
    return None


def table_to_items(table: Table, towns: TownDirectory) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Raw items with their source row numbers, and every problem found while reading cells.

    Only what a list row legally needs is required (事项名称, 职权类型, 设定依据, 赋权方式, 赋权乡镇); a
    table whose only basis column is 实施依据 or 法律法规依据 reads it as the 设定依据. Missing codes are
    filled later (``files.fill_codes``).
    """
    located = locate_header(table)
    if located is None:
        return [], [Problem("未找到表头：表格中须有一行包含“事项名称”“职权类型”等列名")]
    header_index, mapping, data_start = located
    header_row = table.rows[header_index][0]
    present = set(mapping.values())
    if "setting_basis" not in present and "implementing_basis" in present:
        mapping = {i: ("setting_basis" if p == "implementing_basis" else p) for i, p in mapping.items()}
        present = set(mapping.values())
    problems = [Problem(f"缺少必需的列“{c.header}”", row=header_row, column=c.header)
                for c in COLUMNS if c.required and c.path not in present]
    if problems:
        return [], problems
    items: list[tuple[int, dict[str, Any]]] = []
    for row_number, cells in table.rows[data_start:]:
        values: dict[str, str] = {}
        for i, path in mapping.items():
            if path and i < len(cells) and cells[i]:
                values[path] = (values[path] + "\n" + cells[i]) if path in values else cells[i]
        non_empty = [c for c in cells if c]
        formulas = [i for i in mapping if (row_number, i) in table.uncached and mapping[i]]
        if (not non_empty or set(values) <= {""}) and not formulas:
            continue
        # Notes under the table ("注：…", "备注：…", often one merged cell spanning the row).
        if non_empty and len(set(non_empty)) == 1 and (len(non_empty) >= 3 or _NOTE.match(non_empty[0])):
            continue
        for path in ("name", "sub_item", "code", "original_department", "receiving_body", "note"):
            values.setdefault(path, "")
        values["receiving_body"] = values["receiving_body"] or DEFAULT_RECEIVING_BODY
        item, cell_problems = row_to_item(values, towns, row_number)
        for i in formulas:
            header = table.rows[header_index][1][i] if i < len(table.rows[header_index][1]) else ""
            cell_problems.append(Problem("单元格是没有保存计算结果的公式，请在 Excel 中打开、保存后重新导入",
                                         row=row_number, column=column_for_path(mapping[i]) or header))
        problems += cell_problems
        items.append((row_number, item))
    if not items and not problems:
        problems.append(Problem("表格中没有任何事项", row=header_row))
    return items, problems


def has_guide_columns(table: Table) -> bool:
    """Whether the table carries any 办事指南 column (a list with list columns only does not)."""
    located = locate_header(table)
    return located is not None and any(p.startswith("guide.") for p in located[1].values())
