"""Write docs/examples/: a made-up county (云岭县, 330188) with its offices, its list in the published
style (no 事项编码, other header words, merged title rows, a notes row, 责任事项 in one cell) and a guide
sheet. ``python scripts/example_county.py`` rewrites the files; a test checks the committed ones read the same."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"

OFFICES = [
    ("名称", "简称", "统一社会信用代码", "印章文字"),
    ("云岭县住房和城乡建设局", "云岭住建", "11330188MB0123456C", "云岭县住房和城乡建设局"),
    ("云岭县农业农村局", "云岭农业", "11330188MB0234567P", "云岭县农业农村局"),
]

LIST_HEADER = ("序号", "赋权事项", "子项", "权力类型", "法律法规依据", "原实施主体", "责任主体", "赋权方式", "赋权镇街",
               "责任事项", "追责情形", "追责依据", "备注")
_PERMIT_DUTIES = ("受理责任：公示依法应当提交的材料，一次性告知补正材料，依法受理或不予受理；"
                  "审查责任：对申请材料进行审查，提出审查意见；决定责任：作出准予或不予许可决定，不予许可的说明理由；"
                  "送达责任：制作并送达许可文书；事后监管责任：开展监督检查；"
                  "其他责任：法律法规规章规定应履行的其他责任。")
_NUMBERED_DUTIES = ("1.受理责任：一次性告知申请人所需材料，依法受理或不予受理。\n2.审查责任：审查申请材料，"
                    "组织实地核查。\n"
                    "3.决定责任：作出审批决定。\n4.送达责任：送达审批文书。\n5.事后监管责任：开展跟踪检查。")
_PENALTY_DUTIES = ("1.立案责任：发现违法行为，予以审查，决定是否立案。\n2.调查责任：全面、客观、公正地调查，"
                   "收集证据。\n"
                   "3.决定责任：依法作出处罚决定。\n4.送达责任：送达行政处罚决定书。\n5.执行责任：监督当事人履行。")
_PERMIT_CASES = ("1.对符合法定条件的申请不予受理的；\n2.未一次性告知申请人必须补正的全部内容的；\n"
                 "3.未在法定期限内作出决定的。")
_PERMIT_BASIS = "《中华人民共和国行政许可法》第七十二条至第七十四条"
_ALL = "全部乡镇（街道）"
HOUSING = "云岭县住房和城乡建设局"
FARMING = "云岭县农业农村局"
CIVIL = "云岭县民政局"  # not in offices.csv: the import creates it and says so

LIST_ROWS = [
    (1, "乡村建设规划许可证核发", "", "行政许可", "《中华人民共和国城乡规划法》第四十一条", HOUSING,
     "乡镇人民政府", "委托",
     "三溪镇、桃源乡", _PERMIT_DUTIES, _PERMIT_CASES, _PERMIT_BASIS, "以云岭县住房和城乡建设局名义实施"),
    (2, "农村村民宅基地审批", "新建住宅", "行政许可", "《中华人民共和国土地管理法》第六十二条", FARMING,
     "乡镇人民政府（街道办事处）", "下放", _ALL, _NUMBERED_DUTIES, _PERMIT_CASES, _PERMIT_BASIS, ""),
    (3, "农村村民宅基地审批", "原址翻建住宅", "行政许可", "《中华人民共和国土地管理法》第六十二条", FARMING,
     "乡镇人民政府（街道办事处）", "下放", _ALL, _NUMBERED_DUTIES, _PERMIT_CASES, _PERMIT_BASIS, ""),
    (4, "在村庄、集镇规划区内公共场所修建临时建筑等设施审批", "", "行政许可",
     "《村庄和集镇规划建设管理条例》第三十二条", HOUSING, "街道办事处", "窗口前移", "城关街道", _PERMIT_DUTIES,
     _PERMIT_CASES, _PERMIT_BASIS, "街道受理、初审，县住建局决定"),
    (5, "对未取得乡村建设规划许可证进行建设的处罚", "", "行政处罚", "《中华人民共和国城乡规划法》第六十五条", HOUSING,
     "乡镇人民政府", "委托", "三溪镇、桃源乡", _PENALTY_DUTIES, "", "", ""),
    (6, "对农村村民未经批准非法占用土地建住宅的处罚", "", "行政处罚", "《中华人民共和国土地管理法》第七十八条", FARMING,
     "乡镇人民政府（街道办事处）", "下放", _ALL, _PENALTY_DUTIES, "", "", ""),
    (7, "对在乡村规划区内违法建设的强制拆除", "", "行政强制", "《中华人民共和国城乡规划法》第六十五条", HOUSING,
     "乡镇人民政府", "下放", "三溪镇、桃源乡", "", "", "", ""),
    (8, "对露天焚烧秸秆的检查", "", "行政检查", "《中华人民共和国大气污染防治法》第七十七条", FARMING,
     "乡镇人民政府（街道办事处）", "下放", _ALL, "", "", "", ""),
    (9, "特困人员认定", "", "行政确认", "《社会救助暂行办法》第十四条", CIVIL, "乡镇人民政府（街道办事处）", "下放",
     _ALL, _NUMBERED_DUTIES, "", "", ""),
    (10, "临时救助", "", "行政给付", "《社会救助暂行办法》第四十七条", CIVIL, "乡镇人民政府（街道办事处）",
     "下放", _ALL,
     _NUMBERED_DUTIES, "", "", ""),
]

GUIDE_HEADER = ("事项名称", "子项", "材料名称", "来源渠道", "份数", "材料形式", "必要性", "容缺", "办件类型",
"法定办结时限",
                "承诺办结时限", "到办事现场次数", "审批结果名称", "审批结果类型", "咨询方式")
_TEL = "0571-6600 1234"
GUIDE_ROWS = [
    ("乡村建设规划许可证核发", "", "乡村建设规划许可申请表", "申请人自备", 1, "原件", "必要", "不容缺",
     "承诺件", 20, 10, 1,
     "乡村建设规划许可证", "证照", _TEL),
    ("乡村建设规划许可证核发", "", "村民委员会意见", "村民委员会", 1, "原件", "必要", "可容缺", "", "", "", "",
     "", "", ""),
    ("农村村民宅基地审批", "新建住宅", "农村宅基地和建房（规划许可）申请表", "申请人自备", 1, "原件", "必要", "不容缺",
     "承诺件", 20, 15, 1, "农村宅基地批准书", "批文", _TEL),
    ("农村村民宅基地审批", "新建住宅", "居民户口簿", "公安机关", 1, "复印件", "必要", "不容缺", "", "", "", "",
     "", "", ""),
    ("农村村民宅基地审批", "原址翻建住宅", "农村宅基地和建房（规划许可）申请表", "申请人自备", 1, "原件",
     "必要", "不容缺",
     "承诺件", 20, 10, 1, "农村宅基地批准书", "批文", _TEL),
    ("在村庄、集镇规划区内公共场所修建临时建筑等设施审批", "", "临时建设申请书", "申请人自备", 1, "原件", "必要",
     "不容缺", "承诺件", 20, 15, 1, "临时建设批准文件", "批文", _TEL),
    ("特困人员认定", "", "特困人员救助供养申请书", "申请人自备", 1, "原件", "必要", "不容缺", "承诺件", 20, 15, 0,
     "特困人员救助供养证", "证照", _TEL),
    # 临时救助: the materials are known, the time limits not yet — the readiness page shows what is missing.
    ("临时救助", "", "临时救助申请书", "申请人自备", 1, "原件", "必要", "不容缺", "", "", "", "", "临时救助金",
     "其他", _TEL),
]


def offices_csv() -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(OFFICES)
    return buffer.getvalue().encode("utf-8-sig")


def _workbook(title: str, subtitle: str, header: tuple[str, ...], rows: list[tuple], note: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    last = get_column_letter(len(header))
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.append([note])
    end = sheet.max_row
    sheet.append([" ", None, "\u3000"])  # a blank trailing row, as exported sheets often have
    for line in (1, 2, end):
        sheet.merge_cells(f"A{line}:{last}{line}")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    # Fixed document properties keep the file identical from run to run.
    import datetime as dt

    stamp = dt.datetime(2026, 12, 1, 8, 0)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = "云岭县司法局"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def power_list_xlsx() -> bytes:
    return _workbook("云岭县赋予乡镇（街道）县级行政权力事项清单", "云岭县人民政府办公室　2026年12月",
    LIST_HEADER, LIST_ROWS,
                     "备注：1.“全部乡镇（街道）”指三溪镇、桃源乡、城关街道；2.委托事项以委托机关名义实施。")


def guide_xlsx() -> bytes:
    return _workbook("云岭县赋权事项办事指南（申请材料）", "云岭县司法局　2026年12月", GUIDE_HEADER, GUIDE_ROWS,
                     "注：同一事项的办件类型、时限等只需在第一行填写。")


FILES = {"offices.csv": offices_csv, "power-list.xlsx": power_list_xlsx, "guide.xlsx": guide_xlsx}


def main() -> int:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name, build in FILES.items():
        (EXAMPLES / name).write_bytes(build())
        print(EXAMPLES / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
