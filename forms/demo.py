"""Demo form definitions for typical town-level application items, in the JSON format of
:mod:`forms.definition`, keyed by a short key (the demo loader maps keys to item codes).

``DEMO_SUBMISSIONS`` holds one filled example per form, valid against ``DEMO_VILLAGES`` (the villages of
the demo county's 青山镇) on ``DEMO_TODAY``. Identity numbers in the examples are fictitious but carry
correct GB 11643 / GB 32100 check characters (the tests recompute them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PDF_OR_IMAGE = ["application/pdf", "image/jpeg", "image/png"]
IMAGE = ["image/jpeg", "image/png"]
MB = 1024 * 1024

DEMO_TODAY = dt.date(2026, 3, 2)
DEMO_VILLAGES = {"330199101001": "青山村", "330199101002": "石桥村", "330199101003": "柳塘村"}


def _text(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "text", **extra}


def _person(prefix: str, who: str, *, required: bool = True, **extra: Any) -> list[dict[str, Any]]:
    """Name, ID number and mobile of one person (applicant, operator, agent …)."""
    return [
        _text(f"{prefix}_name", f"{who}姓名", required=required, max_length=30, **extra),
        {"name": f"{prefix}_id", "label": f"{who}身份证号码", "type": "id_number", "required": required,
         "help": "18位居民身份证号码，末位X请大写或小写均可", **extra},
        {"name": f"{prefix}_mobile", "label": f"{who}手机号码", "type": "mobile", "required": required,
         "help": "用于工作人员与您联系", **extra},
    ]


def _material(code: str, name: str, *, required: bool = True, deferrable: bool = False,
              accept: list[str] | None = None, max_mb: int = 10, help: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "name": name, "required": required, "deferrable": deferrable,
                           "accept": accept or PDF_OR_IMAGE, "max_bytes": max_mb * MB}
    if help:
        out["help"] = help
    return out


def _choice(name: str, label: str, options: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "choice",
            "options": [{"value": v, "label": lab} for v, lab in options], **extra}


def _pledge(text: str) -> dict[str, Any]:
    return {"name": "pledge", "label": text, "type": "boolean", "required": True}


TRUTH_PLEDGE = "本人承诺所填信息及所交材料真实、有效，如有虚假愿承担相应法律责任"

RELATIONS = [("self", "本人"), ("spouse", "配偶"), ("child", "子女"), ("parent", "父母"),
             ("grandchild", "孙子女"), ("other", "其他")]


HOMESTEAD = {
    "format_version": 1,
    "title": "农村村民宅基地审批",
    "description": "农村村民一户只能拥有一处宅基地。申请人须为本村集体经济组织成员，经村民小组会议讨论、"
                   "村民委员会审查并公示无异议后报镇人民政府审批。",
    "fields": [
        *_person("applicant", "申请人（户主）"),
        {"name": "members", "label": "家庭成员", "type": "table", "required": True,
         "min_rows": 1, "max_rows": 20, "help": "请填写户口簿上的全部家庭成员，含申请人本人",
         "fields": [
             _text("name", "姓名", required=True, max_length=30),
             {"name": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
             _choice("relation", "与户主关系", RELATIONS, required=True),
             {"name": "collective_member", "label": "本村集体经济组织成员", "type": "boolean"},
         ]},
        _choice("existing_housing", "现有住房情况", [
            ("none", "无宅基地、无住房"),
            ("below_standard", "有宅基地，但面积低于规定标准"),
            ("has", "有宅基地及住房"),
        ], required=True),
        {"name": "existing_area", "label": "现有宅基地面积", "type": "number", "required": True, "min": 0,
         "max": 1000, "decimal_places": 2, "unit": "平方米",
         "show_if": {"field": "existing_housing", "in": ["below_standard", "has"]}},
        _choice("existing_handling", "原宅基地处置方式", [
            ("return", "建新退旧，无偿退还集体"), ("rebuild", "原址拆旧建新"),
        ], required=True, show_if={"field": "existing_housing", "equals": "has"}),
        _choice("reason", "申请理由", [
            ("split_household", "分户新建"), ("rebuild", "拆旧建新"), ("relocation", "地质灾害避让搬迁"),
            ("other", "其他"),
        ], required=True),
        {"name": "reason_detail", "label": "申请理由说明", "type": "textarea", "required": True,
         "max_length": 500, "show_if": {"field": "reason", "equals": "other"}},
        {"name": "site", "label": "拟建房屋位置", "type": "address", "required": True,
         "help": "选择所在村（社区），并填写组别及四至，如：3组，东至张某房屋，南至村道"},
        _choice("land_type", "拟用地类型", [
            ("construction", "集体建设用地（含原宅基地）"), ("unused", "未利用地"), ("farmland", "农用地"),
        ], required=True, help="占用农用地的，须先办理农用地转用审批"),
        {"name": "site_area", "label": "拟用宅基地面积", "type": "number", "required": True, "min": 1,
         "max": 140, "decimal_places": 2, "unit": "平方米",
         "help": "使用耕地的每户不超过125平方米，其他土地不超过140平方米"},
        {"name": "building_area", "label": "拟建房屋建筑面积", "type": "number", "required": True, "min": 1,
         "max": 420, "decimal_places": 2, "unit": "平方米"},
        {"name": "floors", "label": "拟建层数", "type": "number", "required": True, "integer": True, "min": 1,
         "max": 3, "unit": "层"},
        _pledge("本人承诺所填信息真实，新房建成后按规定退出原宅基地，并严格按批准面积和位置建房"),
    ],
    "materials": [
        _material("M01", "农村宅基地和建房（规划许可）申请表"),
        _material("M02", "申请人及家庭成员居民身份证、户口簿"),
        _material("M03", "农村宅基地使用承诺书"),
        _material("M04", "村民小组会议记录及村级公示材料", help="公示期不少于5个工作日"),
        _material("M05", "现有宅基地或住房的不动产权属证明", required=False),
        _material("M06", "住房设计图或选用的通用图", deferrable=True, max_mb=20),
    ],
}

RURAL_PLANNING_PERMIT = {
    "format_version": 1,
    "title": "乡村建设规划许可证核发",
    "description": "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设的，须申请乡村建设规划许可证。",
    "fields": [
        _choice("builder_type", "建设主体", [("person", "个人"), ("org", "单位")], required=True),
        _text("builder_name", "建设单位（个人）名称", required=True, max_length=100),
        {"name": "builder_id", "label": "身份证号码", "type": "id_number", "required": True,
         "show_if": {"field": "builder_type", "equals": "person"}},
        {"name": "builder_credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True,
         "show_if": {"field": "builder_type", "equals": "org"}},
        _text("contact_name", "联系人", required=True, max_length=30),
        {"name": "contact_mobile", "label": "联系电话", "type": "mobile", "required": True},
        _text("project_name", "项目名称", required=True, max_length=100),
        _choice("project_purpose", "建设用途", [
            ("township_enterprise", "乡镇企业"), ("public_facility", "乡村公共设施"),
            ("public_welfare", "公益事业"), ("other", "其他"),
        ], required=True),
        {"name": "site", "label": "建设地点", "type": "address", "required": True},
        {"name": "land_area", "label": "用地面积", "type": "number", "required": True, "min": 1,
         "max": 100000, "decimal_places": 2, "unit": "平方米"},
        {"name": "building_area", "label": "总建筑面积", "type": "number", "required": True, "min": 1,
         "max": 100000, "decimal_places": 2, "unit": "平方米"},
        {"name": "floors", "label": "建筑层数", "type": "number", "required": True, "integer": True, "min": 1,
         "max": 6, "unit": "层"},
        {"name": "height", "label": "建筑高度", "type": "number", "min": 1, "max": 24, "decimal_places": 1,
         "unit": "米"},
        {"name": "construction_period", "label": "计划建设期限", "type": "date_range", "required": True,
         "min": "today", "max_span_days": 1095},
        {"name": "description", "label": "建设内容简述", "type": "textarea", "max_length": 1000},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "乡村建设规划许可申请表"),
        _material("M02", "建设单位营业执照或个人身份证明"),
        _material("M03", "土地权属证明或用地批准文件"),
        _material("M04", "建设工程设计方案（含总平面图）", max_mb=30),
        _material("M05", "村民委员会意见", deferrable=True),
    ],
}

ROAD_OCCUPATION = {
    "format_version": 1,
    "title": "临时占用城市道路审批",
    "description": "因特殊情况需要临时占用城市道路的，须经批准；占用期满应及时清理现场、恢复原状。",
    "fields": [
        _choice("occupier_type", "占用人类型", [("person", "个人"), ("org", "单位")], required=True),
        _text("occupier_name", "占用人名称（姓名）", required=True, max_length=100),
        {"name": "occupier_id", "label": "身份证号码", "type": "id_number", "required": True,
         "show_if": {"field": "occupier_type", "equals": "person"}},
        {"name": "occupier_credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True,
         "show_if": {"field": "occupier_type", "equals": "org"}},
        _text("contact_name", "现场负责人", required=True, max_length=30),
        {"name": "contact_mobile", "label": "现场负责人手机号码", "type": "mobile", "required": True},
        _text("road_name", "道路名称", required=True, max_length=50, help="如：青山大道、解放路"),
        {"name": "location", "label": "占用位置", "type": "address", "required": True,
         "help": "所在社区（村）及具体位置，如：解放路与人民路交叉口东北侧人行道"},
        {"name": "occupied_area", "label": "占用面积", "type": "number", "required": True, "min": 0.5,
         "max": 500, "decimal_places": 2, "unit": "平方米"},
        {"name": "period", "label": "占用期限", "type": "date_range", "required": True, "min": "today",
         "max_span_days": 90, "help": "临时占用城市道路的期限一般不超过90天"},
        _choice("purpose", "占用用途", [
            ("materials", "堆放施工材料"), ("temporary_structure", "搭建临时设施"),
            ("event", "商业促销或公益活动"), ("other", "其他"),
        ], required=True),
        _text("purpose_detail", "其他用途说明", required=True, max_length=100,
              show_if={"field": "purpose", "equals": "other"}),
        {"name": "safety_measures", "label": "安全保障及交通疏导措施", "type": "textarea", "required": True,
         "max_length": 1000},
        _pledge("本人（单位）承诺按批准的位置、面积和期限占用，期满后恢复原状"),
    ],
    "materials": [
        _material("M01", "临时占用城市道路申请书"),
        _material("M02", "申请人身份证或营业执照"),
        _material("M03", "占道位置平面示意图"),
        _material("M04", "安全保障措施及交通疏导方案", deferrable=True),
        _material("M05", "建设工程施工许可证明", required=False),
    ],
}

OUTDOOR_ADVERTISING = {
    "format_version": 1,
    "title": "大型户外广告设置审批",
    "fields": [
        _text("applicant_name", "设置单位名称", required=True, max_length=100),
        {"name": "applicant_credit_code", "label": "统一社会信用代码", "type": "credit_code",
         "required": True},
        _text("contact_name", "联系人", required=True, max_length=30),
        {"name": "contact_mobile", "label": "联系电话", "type": "mobile", "required": True},
        _choice("ad_form", "广告形式", [
            ("pillar", "户外立柱广告"), ("wall", "墙面广告"), ("roof", "屋顶广告"),
            ("led", "电子显示屏"), ("other", "其他"),
        ], required=True),
        {"name": "location", "label": "设置地点", "type": "address", "required": True},
        {"name": "width", "label": "广告牌宽度", "type": "number", "required": True, "min": 0.1, "max": 100,
         "decimal_places": 2, "unit": "米"},
        {"name": "height", "label": "广告牌高度", "type": "number", "required": True, "min": 0.1, "max": 50,
         "decimal_places": 2, "unit": "米"},
        {"name": "count", "label": "设置数量", "type": "number", "required": True, "integer": True, "min": 1,
         "max": 50, "unit": "块"},
        {"name": "lighting", "label": "设置夜间照明", "type": "boolean"},
        _text("lighting_hours", "照明时段", required=True, max_length=30, help="如：18:00—22:00",
              show_if={"field": "lighting", "equals": True}),
        {"name": "period", "label": "设置期限", "type": "date_range", "required": True, "min": "today",
         "max_span_days": 1096, "help": "设置期限一般不超过3年"},
        {"name": "content_summary", "label": "广告内容概要", "type": "textarea", "required": True,
         "max_length": 500},
        _pledge("本单位承诺广告内容合法，设施结构安全，并承担日常维护和安全责任"),
    ],
    "materials": [
        _material("M01", "户外广告设置申请书"),
        _material("M02", "营业执照"),
        _material("M03", "设置场地使用权证明或租赁协议"),
        _material("M04", "设计效果图、结构图及位置图", max_mb=30),
        _material("M05", "结构安全检测报告", deferrable=True),
        _material("M06", "安全责任承诺书"),
    ],
}

INDIVIDUAL_BUSINESS = {
    "format_version": 1,
    "title": "个体工商户登记",
    "fields": [
        *_person("operator", "经营者"),
        _text("business_name", "个体工商户名称", max_length=50,
              help="可以不使用名称；使用名称的，应符合名称登记管理规定，如：清溪县青山镇老王面馆"),
        _choice("organisation", "组成形式", [("individual", "个人经营"), ("family", "家庭经营")],
                required=True),
        {"name": "family_members", "label": "参与经营的家庭成员", "type": "table", "required": True,
         "min_rows": 1, "max_rows": 10, "show_if": {"field": "organisation", "equals": "family"},
         "fields": [
             _text("name", "姓名", required=True, max_length=30),
             {"name": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
             _choice("relation", "与经营者关系", RELATIONS[1:], required=True),
         ]},
        _choice("scope", "经营范围", [
            ("retail", "日用百货零售"), ("food_service", "餐饮服务"), ("lodging", "住宿服务"),
            ("agri_products", "农副产品销售"), ("repair", "家电及日用品维修"), ("hairdressing", "美容美发"),
            ("resident_services", "居民日常生活服务"), ("other", "其他"),
        ], required=True, multiple=True, help="涉及许可经营项目的，取得许可后方可经营"),
        _text("scope_detail", "其他经营范围", required=True, max_length=200,
              show_if={"field": "scope", "equals": "other"}),
        {"name": "premises", "label": "经营场所", "type": "address", "required": True},
        {"name": "capital", "label": "资金数额", "type": "number", "required": True, "min": 0, "max": 100000,
         "decimal_places": 2, "unit": "万元"},
        {"name": "employees", "label": "从业人数", "type": "number", "required": True, "integer": True,
         "min": 1, "max": 500, "unit": "人"},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "个体工商户登记申请书"),
        _material("M02", "经营者身份证明"),
        _material("M03", "经营场所使用证明", help="房产证明或租赁合同"),
        _material("M04", "家庭成员关系证明", required=False, help="家庭经营的提交户口簿或结婚证等"),
    ],
}

MINIMUM_LIVING_ALLOWANCE = {
    "format_version": 1,
    "title": "最低生活保障审核确认",
    "description": "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定的，可以申请。",
    "fields": [
        *_person("applicant", "申请人"),
        {"name": "residence", "label": "户籍所在地", "type": "address", "required": True},
        {"name": "household", "label": "共同生活的家庭成员", "type": "table", "required": True, "min_rows": 1,
         "max_rows": 15, "help": "含申请人本人，收入为近12个月的月平均收入",
         "fields": [
             _text("name", "姓名", required=True, max_length=30),
             {"name": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
             _choice("relation", "与申请人关系", RELATIONS, required=True),
             _choice("health", "健康状况", [("healthy", "健康"), ("ill", "患病"), ("disabled", "残疾")],
                     required=True),
             _choice("employment", "就业状况", [
                 ("employed", "就业"), ("flexible", "灵活就业"), ("unemployed", "失业"),
                 ("student", "在校学生"), ("retired", "退休"), ("unable", "无劳动能力"),
             ], required=True),
             {"name": "monthly_income", "label": "月收入", "type": "number", "required": True, "min": 0,
              "max": 100000, "decimal_places": 2, "unit": "元"},
         ]},
        {"name": "deposits", "label": "家庭存款及有价证券合计", "type": "number", "required": True, "min": 0,
         "max": 10000000, "decimal_places": 2, "unit": "元"},
        {"name": "has_vehicle", "label": "家庭成员名下有机动车辆", "type": "boolean"},
        {"name": "vehicle_detail", "label": "车辆情况说明", "type": "text", "required": True,
         "max_length": 100, "help": "如：电动三轮车一辆，用于务农",
         "show_if": {"field": "has_vehicle", "equals": True}},
        {"name": "reason", "label": "申请理由", "type": "textarea", "required": True, "max_length": 1000},
        _pledge("本人承诺所填信息真实，并授权民政部门核对家庭经济状况"),
    ],
    "materials": [
        _material("M01", "最低生活保障申请书"),
        _material("M02", "家庭成员居民身份证、户口簿"),
        _material("M03", "家庭经济状况核对授权书"),
        _material("M04", "收入证明", deferrable=True),
        _material("M05", "残疾人证或疾病诊断证明", required=False),
    ],
}

DILAPIDATED_HOUSE = {
    "format_version": 1,
    "title": "农村危房改造补助",
    "fields": [
        *_person("applicant", "申请人（户主）"),
        _choice("household_category", "家庭类别", [
            ("minimum_living", "农村低保户"), ("extreme_poverty", "农村分散供养特困人员"),
            ("low_income_margin", "低保边缘家庭"), ("monitored", "防止返贫监测对象"),
            ("other_difficult", "其他农村困难家庭"),
        ], required=True),
        {"name": "household_size", "label": "家庭人口", "type": "number", "required": True, "integer": True,
         "min": 1, "max": 20, "unit": "人"},
        {"name": "house_site", "label": "房屋坐落", "type": "address", "required": True},
        _choice("structure", "房屋结构", [
            ("earth_wood", "土木"), ("brick_wood", "砖木"), ("brick_concrete", "砖混"),
            ("stone_wood", "石木"), ("other", "其他"),
        ], required=True),
        {"name": "built_year", "label": "建造年份", "type": "number", "required": True, "integer": True,
         "min": 1900, "max": 2026},
        {"name": "house_area", "label": "房屋建筑面积", "type": "number", "required": True, "min": 1,
         "max": 1000, "decimal_places": 2, "unit": "平方米"},
        _choice("danger_level", "房屋危险性等级", [("c", "C级（局部危房）"), ("d", "D级（整栋危房）")],
                required=True, help="以房屋安全鉴定结果为准"),
        _choice("method", "改造方式", [
            ("reinforce", "维修加固"), ("rebuild_in_place", "原址翻建"), ("rebuild_elsewhere", "异地新建"),
            ("centralised", "统建农房或集中安置"),
        ], required=True),
        {"name": "remarks", "label": "情况说明", "type": "textarea", "max_length": 500},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "农村危房改造申请表"),
        _material("M02", "申请人身份证、户口簿"),
        _material("M03", "困难家庭身份证明"),
        _material("M04", "房屋安全性鉴定报告", deferrable=True),
        _material("M05", "房屋现状照片", accept=IMAGE),
    ],
}

BIRTH_REGISTRATION = {
    "format_version": 1,
    "title": "生育登记（再生育审批）",
    "fields": [
        _choice("registration_type", "办理类型", [
            ("registration", "生育登记"), ("approval", "再生育审批"),
        ], required=True, help="夫妻生育子女的办理生育登记；法律法规规定须审批的特殊情形办理再生育审批"),
        _text("wife_name", "女方姓名", required=True, max_length=30),
        {"name": "wife_id", "label": "女方身份证号码", "type": "id_number", "required": True},
        _text("husband_name", "男方姓名", required=True, max_length=30),
        {"name": "husband_id", "label": "男方身份证号码", "type": "id_number", "required": True},
        {"name": "mobile", "label": "联系电话", "type": "mobile", "required": True},
        {"name": "marriage_date", "label": "结婚登记日期", "type": "date", "required": True, "max": "today"},
        {"name": "children", "label": "现有子女", "type": "table", "max_rows": 10,
         "help": "没有子女的不填",
         "fields": [
             _text("name", "姓名", required=True, max_length=30),
             {"name": "birth_date", "label": "出生日期", "type": "date", "required": True, "max": "today"},
             _choice("sex", "性别", [("m", "男"), ("f", "女")], required=True),
             _choice("parent", "生育关系", [("both", "夫妻共同生育"), ("wife", "女方与前配偶生育"),
                                        ("husband", "男方与前配偶生育")], required=True),
         ]},
        {"name": "expected_date", "label": "预产期", "type": "date", "min": "today",
         "help": "已怀孕的填写"},
        _choice("approval_reason", "再生育审批情形", [
            ("remarried", "再婚夫妻"), ("disabled_child", "子女经鉴定为残疾"), ("other", "其他法定情形"),
        ], required=True, show_if={"field": "registration_type", "equals": "approval"}),
        {"name": "approval_reason_detail", "label": "情形说明", "type": "textarea", "required": True,
         "max_length": 500, "show_if": {"field": "approval_reason", "equals": "other"}},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "夫妻双方居民身份证"),
        _material("M02", "结婚证"),
        _material("M03", "户口簿"),
        _material("M04", "现有子女出生医学证明", required=False),
        _material("M05", "再生育情形证明材料", required=False, help="离婚证、残疾鉴定结论等"),
    ],
}

DISABILITY_SUBSIDIES = {
    "format_version": 1,
    "title": "残疾人两项补贴",
    "description": "困难残疾人生活补贴和重度残疾人护理补贴。",
    "fields": [
        *_person("applicant", "残疾人"),
        _text("disability_card_no", "残疾人证号", required=True,
              pattern={"regex": r"\d{17}[\dXx][1-7][1-4]",
                       "message": "残疾人证号应为20位：身份证号码加残疾类别和等级各1位"}),
        _choice("disability_type", "残疾类别", [
            ("visual", "视力"), ("hearing", "听力"), ("speech", "言语"), ("physical", "肢体"),
            ("intellectual", "智力"), ("mental", "精神"), ("multiple", "多重"),
        ], required=True),
        _choice("disability_level", "残疾等级", [("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")],
                required=True),
        _choice("subsidies", "申请补贴类型", [
            ("living", "困难残疾人生活补贴"), ("care", "重度残疾人护理补贴"),
        ], required=True, multiple=True, help="护理补贴对象为残疾等级一级、二级且需要长期照护的残疾人"),
        {"name": "low_income", "label": "属于低保家庭或低保边缘家庭", "type": "boolean"},
        {"name": "residence", "label": "户籍所在地", "type": "address", "required": True},
        {"name": "by_agent", "label": "由监护人或亲属代为申请", "type": "boolean"},
        *_person("agent", "代办人", show_if={"field": "by_agent", "equals": True}),
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "残疾人两项补贴申请审批表"),
        _material("M02", "第二代中华人民共和国残疾人证"),
        _material("M03", "居民身份证、户口簿"),
        _material("M04", "低保或低保边缘家庭证明", required=False),
        _material("M05", "代办人身份证", required=False),
    ],
}

TEMPORARY_ASSISTANCE = {
    "format_version": 1,
    "title": "临时救助",
    "fields": [
        *_person("applicant", "申请人"),
        {"name": "residence", "label": "居住地", "type": "address", "required": True},
        _choice("hardship", "困难类型", [
            ("emergency", "急难型（火灾、交通事故、突发重大疾病等）"),
            ("expense", "支出型（医疗、教育等必需支出突然增加）"),
            ("other", "其他"),
        ], required=True),
        {"name": "incident_date", "label": "困难发生日期", "type": "date", "required": True, "max": "today"},
        {"name": "medical_expense", "label": "自负医疗或教育支出", "type": "number", "required": True,
         "min": 0, "max": 10000000, "decimal_places": 2, "unit": "元",
         "show_if": {"field": "hardship", "equals": "expense"}},
        {"name": "household_size", "label": "家庭人口", "type": "number", "required": True, "integer": True,
         "min": 1, "max": 20, "unit": "人"},
        {"name": "household_monthly_income", "label": "家庭月收入合计", "type": "number", "required": True,
         "min": 0, "max": 1000000, "decimal_places": 2, "unit": "元"},
        {"name": "amount_requested", "label": "申请救助金额", "type": "number", "min": 1, "max": 50000,
         "decimal_places": 2, "unit": "元"},
        {"name": "description", "label": "困难情况说明", "type": "textarea", "required": True,
         "max_length": 1000},
        _pledge("本人承诺所填信息真实，并授权民政部门核对家庭经济状况"),
    ],
    "materials": [
        _material("M01", "临时救助申请书"),
        _material("M02", "申请人身份证、户口簿"),
        _material("M03", "困难情况证明", deferrable=True, help="医疗费用票据、事故认定书、火灾证明等"),
        _material("M04", "家庭经济状况核对授权书"),
    ],
}

SENIOR_ALLOWANCE = {
    "format_version": 1,
    "title": "80周岁以上老年人高龄津贴",
    "description": "具有本县户籍、年满80周岁的老年人，自年满80周岁的次月起按月发放高龄津贴。",
    "fields": [
        _text("elder_name", "老人姓名", required=True, max_length=30),
        {"name": "elder_id", "label": "老人身份证号码", "type": "id_number", "required": True,
         "help": "按身份证号码中的出生日期核定年龄"},
        {"name": "residence", "label": "户籍所在地", "type": "address", "required": True},
        {"name": "mobile", "label": "联系电话", "type": "mobile", "required": True,
         "help": "可填写子女或照护人的手机号码"},
        _choice("payment", "津贴发放方式", [
            ("social_security_card", "社会保障卡"), ("bank_card", "本人银行卡"),
        ], required=True),
        _text("bank_name", "开户银行", required=True, max_length=50,
              show_if={"field": "payment", "equals": "bank_card"}),
        _text("bank_account", "银行卡号", required=True,
              pattern={"regex": r"\d{12,19}", "message": "银行卡号应为12到19位数字"},
              show_if={"field": "payment", "equals": "bank_card"}),
        {"name": "by_agent", "label": "由家属代为申请", "type": "boolean"},
        *_person("agent", "代办人", show_if={"field": "by_agent", "equals": True}),
        _choice("agent_relation", "代办人与老人关系", RELATIONS[1:], required=True,
                show_if={"field": "by_agent", "equals": True}),
    ],
    "materials": [
        _material("M01", "老人居民身份证"),
        _material("M02", "户口簿"),
        _material("M03", "社会保障卡或银行卡复印件"),
        _material("M04", "代办人身份证", required=False),
    ],
}

GAS_BUSINESS_PERMIT = {
    "format_version": 1,
    "title": "燃气经营许可（窗口受理）",
    "description": "本事项由镇（街道）便民服务中心窗口受理并初审，县住房和城乡建设局作出许可决定。",
    "fields": [
        _text("enterprise_name", "企业名称", required=True, max_length=100),
        {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
        *_person("legal_rep", "法定代表人"),
        _choice("business_types", "经营类别", [
            ("pipeline", "管道燃气"), ("lpg_bottled", "瓶装液化石油气"), ("cng", "压缩天然气"),
            ("vehicle", "汽车加气站"),
        ], required=True, multiple=True),
        {"name": "premises", "label": "经营场所", "type": "address", "required": True},
        {"name": "storage_capacity", "label": "储存规模", "type": "number", "required": True, "min": 0,
         "max": 100000, "decimal_places": 2, "unit": "吨"},
        {"name": "staff", "label": "主要负责人、安全管理人员及运行维护人员", "type": "table",
         "required": True, "min_rows": 2, "max_rows": 30,
         "fields": [
             _text("name", "姓名", required=True, max_length=30),
             {"name": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
             _choice("role", "岗位", [("principal", "主要负责人"), ("safety", "安全管理人员"),
                                    ("operation", "运行维护和抢修人员")], required=True),
             _text("certificate_no", "培训考核合格证书编号", required=True, max_length=50),
         ]},
        _pledge("本企业承诺具备燃气经营许可条件，所交材料真实有效"),
    ],
    "materials": [
        _material("M01", "燃气经营许可申请书"),
        _material("M02", "营业执照"),
        _material("M03", "燃气设施建设工程竣工验收文件", max_mb=30),
        _material("M04", "安全评价报告", max_mb=30),
        _material("M05", "从业人员专业培训考核合格证明"),
        _material("M06", "安全管理制度和应急预案"),
        _material("M07", "经营场所土地及房屋使用证明"),
    ],
}

CONSTRUCTION_PERMIT = {
    "format_version": 1,
    "title": "建筑工程施工许可（小型工程）",
    "description": "本镇（街道）受理工程投资额在400万元以下的小型房屋建筑和市政基础设施工程。",
    "fields": [
        _text("builder_name", "建设单位", required=True, max_length=100),
        {"name": "builder_credit_code", "label": "建设单位统一社会信用代码", "type": "credit_code",
         "required": True},
        _text("project_name", "工程名称", required=True, max_length=100),
        {"name": "site", "label": "工程地点", "type": "address", "required": True},
        _text("planning_permit_no", "建设工程（乡村建设）规划许可证编号", required=True, max_length=50),
        {"name": "contract_amount", "label": "合同价格", "type": "number", "required": True, "min": 30,
         "max": 400, "decimal_places": 2, "unit": "万元",
         "help": "工程投资额在30万元以下的，可以不申请施工许可"},
        {"name": "building_area", "label": "建筑面积", "type": "number", "required": True, "min": 1,
         "max": 10000, "decimal_places": 2, "unit": "平方米"},
        _text("contractor_name", "施工单位", required=True, max_length=100),
        {"name": "contractor_credit_code", "label": "施工单位统一社会信用代码", "type": "credit_code",
         "required": True},
        _text("project_manager", "项目负责人", required=True, max_length=30),
        {"name": "project_manager_mobile", "label": "项目负责人手机号码", "type": "mobile", "required": True},
        {"name": "construction_period", "label": "合同工期", "type": "date_range", "required": True,
         "min": "today", "max_span_days": 1095},
        _pledge("建设单位承诺建设资金已经落实，施工图设计文件已按规定审查合格"),
    ],
    "materials": [
        _material("M01", "建筑工程施工许可证申请表"),
        _material("M02", "建设工程（乡村建设）规划许可证"),
        _material("M03", "施工合同"),
        _material("M04", "施工图设计文件审查合格书", deferrable=True, max_mb=30),
        _material("M05", "保证工程质量和安全的具体措施"),
        _material("M06", "建设资金已经落实承诺书"),
    ],
}

DOG_REGISTRATION = {
    "format_version": 1,
    "title": "养犬登记",
    "description": "在县城区和镇（街道）人民政府所在地饲养犬只的，应当办理养犬登记，每户限养一只。",
    "fields": [
        *_person("owner", "养犬人"),
        {"name": "residence", "label": "养犬地址", "type": "address", "required": True},
        _text("dog_name", "犬名", max_length=20),
        _text("breed", "犬种", required=True, max_length=30, help="禁止饲养烈性犬、大型犬"),
        _choice("sex", "性别", [("male", "公"), ("female", "母")], required=True),
        _text("colour", "毛色", required=True, max_length=20),
        {"name": "birth_date", "label": "出生日期", "type": "date", "max": "today"},
        {"name": "neutered", "label": "已绝育", "type": "boolean"},
        {"name": "vaccination_date", "label": "最近一次狂犬病疫苗接种日期", "type": "date", "required": True,
         "max": "today"},
        _text("vaccine_certificate_no", "免疫证明编号", required=True, max_length=30),
        _pledge("本人承诺文明养犬，出户时为犬只束犬链，及时清理犬只粪便"),
    ],
    "materials": [
        _material("M01", "养犬人居民身份证"),
        _material("M02", "犬只狂犬病免疫证明"),
        _material("M03", "犬只正面和侧面照片", accept=IMAGE, max_mb=5),
        _material("M04", "住所证明", required=False, help="房产证明或租赁合同"),
    ],
}



def _date_range(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "date_range", **extra}


ROAD_EXCAVATION = {
    "format_version": 1,
    "title": "挖掘城市道路申请",
    "description": "因工程建设需要挖掘城市道路的，应当持城市规划部门批准签发的文件和有关设计文件申请。",
    "fields": [
        _text("builder_name", "建设单位名称", required=True, max_length=100),
        {"name": "builder_credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
        *_person("contact", "经办人"),
        _text("road_name", "挖掘道路名称及路段", required=True, max_length=100),
        {"name": "length", "label": "挖掘长度（米）", "type": "number", "required": True, "min": 1, "max": 5000},
        {"name": "width", "label": "挖掘宽度（米）", "type": "number", "required": True, "min": 0.1, "max": 50},
        _date_range("period", "挖掘期限", required=True, max_span_days=90, min="today"),
        _choice("purpose", "挖掘原因", [("pipeline", "地下管线敷设或维修"), ("building", "建设工程接入"),
                                    ("other", "其他")], required=True),
        {"name": "purpose_detail", "label": "其他原因说明", "type": "textarea", "max_length": 300,
         "show_if": {"field": "purpose", "equals": "other"}},
        _pledge("本单位承诺按期恢复道路原状，承担修复费用"),
    ],
    "materials": [
        _material("M01", "挖掘城市道路申请书"),
        _material("M02", "城市规划部门批准签发的文件"),
        _material("M03", "施工设计文件及施工方案"),
    ],
}

POSTING_PUBLICITY = {
    "format_version": 1,
    "title": "在城市建筑物、设施上张挂、张贴宣传品申请",
    "fields": [
        _choice("applicant_kind", "申请人类型", [("person", "个人"), ("org", "单位")], required=True),
        _text("org_name", "单位名称", max_length=100, show_if={"field": "applicant_kind", "equals": "org"}),
        *_person("contact", "联系人"),
        _text("content", "宣传主题", required=True, max_length=100),
        _text("location", "张挂、张贴位置", required=True, max_length=200),
        {"name": "quantity", "label": "数量（幅、张）", "type": "number", "required": True, "min": 1, "max": 500},
        _date_range("period", "张挂期限", required=True, max_span_days=30, min="today"),
        _pledge("本人（单位）承诺到期自行清除，保持市容整洁"),
    ],
    "materials": [_material("M01", "申请书"), _material("M02", "宣传品样稿及张挂位置图")],
}

MEDICAL_ASSISTANCE = {
    "format_version": 1,
    "title": "医疗救助申请",
    "fields": [
        *_person("applicant", "申请人"),
        {"name": "residence", "label": "户籍地址", "type": "address", "required": True},
        _choice("category", "救助对象类别", [("dibao", "最低生活保障对象"), ("tekun", "特困供养人员"),
                                       ("low_income", "低保边缘家庭成员"), ("catastrophic", "因病致贫重病患者")],
                required=True),
        _text("illness", "疾病名称", required=True, max_length=100),
        _text("hospital", "就诊医疗机构", required=True, max_length=100),
        _date_range("treatment", "就诊期间", required=True, max="today"),
        {"name": "total_cost", "label": "医疗费用总额（元）", "type": "number", "required": True, "min": 0,
         "max": 10000000},
        {"name": "insured_paid", "label": "医保已报销（元）", "type": "number", "required": True, "min": 0,
         "max": 10000000},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "医疗救助申请表"),
        _material("M02", "医疗费用发票及结算单"),
        _material("M03", "身份证、户口簿"),
    ],
}

EXTREME_POVERTY = {
    "format_version": 1,
    "title": "特困人员救助供养申请",
    "fields": [
        *_person("applicant", "申请人"),
        {"name": "birth_date", "label": "出生日期", "type": "date", "required": True, "max": "today"},
        {"name": "residence", "label": "户籍地址", "type": "address", "required": True},
        _choice("no_work_ability", "劳动能力状况", [("elderly", "60周岁以上老年人"), ("disabled", "重度残疾"),
                                             ("ill", "患有重病等丧失劳动能力")], required=True),
        _choice("support", "法定赡养、抚养、扶养义务人情况", [("none", "无"), ("unable", "有，但无履行义务能力")],
                required=True),
        {"name": "monthly_income", "label": "本人月收入（元）", "type": "number", "required": True, "min": 0,
         "max": 100000},
        _choice("care", "供养方式意愿", [("home", "分散供养（在家）"), ("institution", "集中供养（敬老院）")],
                required=True),
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "特困人员救助供养申请书"),
        _material("M02", "身份证、户口簿"),
        _material("M03", "残疾人证或劳动能力评估材料", required=False),
    ],
}


def _dispute(title: str, *, materials: list[dict[str, Any]], subject_label: str) -> dict[str, Any]:
    return {
        "format_version": 1,
        "title": title,
        "fields": [
            *_person("applicant", "申请人"),
            _text("respondent_name", "对方当事人姓名或名称", required=True, max_length=100),
            {"name": "respondent_mobile", "label": "对方当事人联系电话", "type": "mobile"},
            {"name": "location", "label": f"{subject_label}坐落", "type": "address", "required": True},
            {"name": "area", "label": "争议面积（亩）", "type": "number", "required": True, "min": 0.01,
             "max": 100000},
            {"name": "claim", "label": "请求事项", "type": "textarea", "required": True, "max_length": 1000},
            {"name": "facts", "label": "事实与理由", "type": "textarea", "required": True, "max_length": 3000},
            _pledge(TRUTH_PLEDGE),
        ],
        "materials": materials,
    }


FOREST_DISPUTE = _dispute("林木所有权和林地使用权争议处理申请", materials=[
    _material("M01", "争议处理申请书"),
    _material("M02", "当事人身份证明"),
    _material("M03", "权属来源证明材料"),
], subject_label="争议林地")
LAND_DISPUTE = _dispute("土地权属争议调处申请", materials=[
    _material("M01", "土地权属争议调处申请书"),
    _material("M02", "当事人身份证明"),
    _material("M03", "土地权属来源证明"),
], subject_label="争议土地")

RESIDENCE_PERMIT = {
    "format_version": 1,
    "title": "居住证申领",
    "fields": [
        *_person("applicant", "申领人"),
        {"name": "address", "label": "居住地址", "type": "address", "required": True},
        {"name": "since", "label": "在本地居住起始日期", "type": "date", "required": True, "max": "today",
         "help": "须在本地居住半年以上"},
        _choice("basis", "申领条件", [("job", "合法稳定就业"), ("home", "合法稳定住所"), ("study", "连续就读")],
                required=True, multiple=True),
        _text("employer", "工作单位", max_length=100),
    ],
    "materials": [
        _material("M01", "居民身份证"),
        _material("M02", "近期免冠照片"),
        _material("M03", "居住证明（房产证明或租赁合同）"),
    ],
}

HARD_TO_EMPLOY = {
    "format_version": 1,
    "title": "就业困难人员认定申请",
    "fields": [
        *_person("applicant", "申请人"),
        {"name": "residence", "label": "户籍或常住地址", "type": "address", "required": True},
        _choice("category", "困难类别", [("older", "大龄失业人员（女40、男50周岁以上）"), ("disabled", "残疾人"),
                                   ("dibao", "最低生活保障家庭成员"), ("long_term", "连续失业一年以上"),
                                   ("zero_job", "零就业家庭成员")], required=True),
        {"name": "unemployed_since", "label": "失业登记日期", "type": "date", "required": True, "max": "today"},
        _pledge(TRUTH_PLEDGE),
    ],
    "materials": [
        _material("M01", "就业困难人员认定申请表"),
        _material("M02", "居民身份证"),
        _material("M03", "困难类别证明材料", deferrable=True),
    ],
}

PENSION_ENROLMENT = {
    "format_version": 1,
    "title": "城乡居民基本养老保险参保登记",
    "fields": [
        *_person("applicant", "参保人"),
        {"name": "residence", "label": "户籍地址", "type": "address", "required": True},
        _choice("grade", "缴费档次（元/年）", [(str(v), f"{v}元") for v in (200, 500, 1000, 2000, 3000, 5000)],
                required=True),
        _text("bank_account", "代扣代发银行账号", required=True, max_length=30,
              pattern={"regex": "^[0-9]{12,30}$", "message": "银行账号应为12至30位数字"}),
    ],
    "materials": [_material("M01", "居民身份证")],
}

ENVIRONMENT_AWARD = {
    "format_version": 1,
    "title": "保护和改善环境显著成绩奖励申报",
    "fields": [
        _choice("nominee_kind", "申报对象", [("person", "个人"), ("org", "单位")], required=True),
        _text("nominee_name", "个人姓名或单位名称", required=True, max_length=100),
        *_person("contact", "联系人"),
        {"name": "achievements", "label": "主要事迹", "type": "textarea", "required": True, "max_length": 3000},
        _date_range("period", "事迹发生期间", required=True, max="today"),
    ],
    "materials": [_material("M01", "奖励申报表"), _material("M02", "事迹材料及证明")],
}


DEMO_FORMS: dict[str, dict[str, Any]] = {
    "homestead": HOMESTEAD,
    "rural_planning_permit": RURAL_PLANNING_PERMIT,
    "road_occupation": ROAD_OCCUPATION,
    "outdoor_advertising": OUTDOOR_ADVERTISING,
    "individual_business": INDIVIDUAL_BUSINESS,
    "minimum_living_allowance": MINIMUM_LIVING_ALLOWANCE,
    "dilapidated_house": DILAPIDATED_HOUSE,
    "birth_registration": BIRTH_REGISTRATION,
    "disability_subsidies": DISABILITY_SUBSIDIES,
    "temporary_assistance": TEMPORARY_ASSISTANCE,
    "senior_allowance": SENIOR_ALLOWANCE,
    "gas_business_permit": GAS_BUSINESS_PERMIT,
    "construction_permit": CONSTRUCTION_PERMIT,
    "dog_registration": DOG_REGISTRATION,
    # Their materials come from the item's 办事指南 when the demo publishes them.
    "road_excavation": ROAD_EXCAVATION,
    "posting_publicity": POSTING_PUBLICITY,
    "medical_assistance": MEDICAL_ASSISTANCE,
    "extreme_poverty": EXTREME_POVERTY,
    "forest_dispute": FOREST_DISPUTE,
    "land_dispute": LAND_DISPUTE,
    "residence_permit": RESIDENCE_PERMIT,
    "hard_to_employ": HARD_TO_EMPLOY,
    "pension_enrolment": PENSION_ENROLMENT,
    "environment_award": ENVIRONMENT_AWARD,
}


# ---------------------------------------------------------------------------------------------------
# One filled example per form (JSON shape), valid on DEMO_TODAY against DEMO_VILLAGES.

_P1 = {"name": "王建国", "id": "330127197805160030", "mobile": "13905710001"}
_P2 = {"name": "李秀英", "id": "330127198009210046", "mobile": "13905710002"}
_CHILD = "330127200503020010"
_ELDER = "33012719420603002X"
_ORG = "91330127MA2H3K5L70"
_ORG2 = "91330127MA27YB8U00"


def _fill_person(prefix: str, person: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_name": person["name"], f"{prefix}_id": person["id"],
            f"{prefix}_mobile": person["mobile"]}


DEMO_SUBMISSIONS: dict[str, dict[str, Any]] = {
    "homestead": {
        **_fill_person("applicant", _P1),
        "members": [
            {"name": _P1["name"], "id_number": _P1["id"], "relation": "self", "collective_member": True},
            {"name": _P2["name"], "id_number": _P2["id"], "relation": "spouse", "collective_member": True},
            {"name": "王浩", "id_number": _CHILD, "relation": "child", "collective_member": True},
        ],
        "existing_housing": "has",
        "existing_area": 86.5,
        "existing_handling": "return",
        "reason": "split_household",
        "site": {"village": "330199101002", "detail": "石桥村3组，东至村道，南至王某房屋"},
        "land_type": "construction",
        "site_area": 110,
        "building_area": 280.5,
        "floors": 3,
        "pledge": True,
    },
    "rural_planning_permit": {
        "builder_type": "org", "builder_name": "清溪县青山镇石桥村股份经济合作社",
        "builder_credit_code": "N1330127MA2J0P9R3A", "contact_name": _P1["name"],
        "contact_mobile": _P1["mobile"], "project_name": "石桥村文化礼堂新建工程",
        "project_purpose": "public_facility",
        "site": {"village": "330199101002", "detail": "石桥村村委会西侧空地"},
        "land_area": 1200, "building_area": 860.4, "floors": 2, "height": 9.6,
        "construction_period": {"start": "2026-04-01", "end": "2026-12-31"},
        "description": "新建二层框架结构文化礼堂一座，含礼堂、展陈室和村史馆。",
        "pledge": True,
    },
    "road_occupation": {
        "occupier_type": "org", "occupier_name": "清溪县青山建筑工程有限公司", "occupier_credit_code": _ORG,
        "contact_name": "赵工", "contact_mobile": "13905710003", "road_name": "青山大道",
        "location": {"village": "330199101001", "detail": "青山大道与人民路交叉口东北侧人行道"},
        "occupied_area": 45.5, "period": {"start": "2026-03-10", "end": "2026-05-31"},
        "purpose": "materials", "safety_measures": "设置连续硬质围挡和夜间警示灯，安排专人疏导行人。",
        "pledge": True,
    },
    "outdoor_advertising": {
        "applicant_name": "清溪县青山建筑工程有限公司", "applicant_credit_code": _ORG,
        "contact_name": "钱经理", "contact_mobile": "13905710004", "ad_form": "wall",
        "location": {"village": "330199101001", "detail": "青山大道88号临街外墙"},
        "width": 12, "height": 3.5, "count": 1, "lighting": True, "lighting_hours": "18:00—22:00",
        "period": {"start": "2026-04-01", "end": "2027-03-31"},
        "content_summary": "企业形象宣传，内容为企业名称及标志。", "pledge": True,
    },
    "individual_business": {
        **_fill_person("operator", _P1),
        "business_name": "清溪县青山镇老王面馆", "organisation": "family",
        "family_members": [{"name": _P2["name"], "id_number": _P2["id"], "relation": "spouse"}],
        "scope": ["food_service", "retail"],
        "premises": {"village": "330199101001", "detail": "青山街12号一楼"},
        "capital": "8.5", "employees": 3, "pledge": True,
    },
    "minimum_living_allowance": {
        **_fill_person("applicant", _P2),
        "residence": {"village": "330199101003", "detail": "柳塘村5组21号"},
        "household": [
            {"name": _P2["name"], "id_number": _P2["id"], "relation": "self", "health": "ill",
             "employment": "unable", "monthly_income": 0},
            {"name": "王浩", "id_number": _CHILD, "relation": "child", "health": "healthy",
             "employment": "student", "monthly_income": "0.00"},
        ],
        "deposits": 3200, "has_vehicle": False,
        "reason": "本人患尿毒症需长期透析，无劳动能力，儿子在读高中，家庭无固定收入。", "pledge": True,
    },
    "dilapidated_house": {
        **_fill_person("applicant", _P1),
        "household_category": "minimum_living", "household_size": 2,
        "house_site": {"village": "330199101003", "detail": "柳塘村2组8号"},
        "structure": "earth_wood", "built_year": 1978, "house_area": 96, "danger_level": "d",
        "method": "rebuild_in_place", "pledge": True,
    },
    "birth_registration": {
        "registration_type": "approval", "wife_name": _P2["name"], "wife_id": _P2["id"],
        "husband_name": _P1["name"], "husband_id": _P1["id"], "mobile": _P2["mobile"],
        "marriage_date": "2019-05-20",
        "children": [
            {"name": "王浩", "birth_date": "2005-03-02", "sex": "m", "parent": "husband"},
            {"name": "王悦", "birth_date": "2020-08-16", "sex": "f", "parent": "both"},
        ],
        "expected_date": "2026-09-30",
        "approval_reason": "remarried", "pledge": True,
    },
    "disability_subsidies": {
        **_fill_person("applicant", {"name": "陈阿四", "id": "330127196504120057", "mobile": "13905710005"}),
        "disability_card_no": "33012719650412005742",
        "disability_type": "physical", "disability_level": "2", "subsidies": ["living", "care"],
        "low_income": True, "residence": {"village": "330199101001", "detail": "青山村7组3号"},
        "by_agent": True, **_fill_person("agent", _P2), "pledge": True,
    },
    "temporary_assistance": {
        **_fill_person("applicant", _P1),
        "residence": {"village": "330199101002", "detail": "石桥村1组15号"},
        "hardship": "expense", "incident_date": "2026-01-18", "medical_expense": "46800.00",
        "household_size": 4, "household_monthly_income": 2600, "amount_requested": 8000,
        "description": "妻子突发脑出血住院治疗，医保报销后自负医疗费用较高，家庭生活陷入困难。",
        "pledge": True,
    },
    "senior_allowance": {
        "elder_name": "周金花", "elder_id": _ELDER,
        "residence": {"village": "330199101001", "detail": "青山村2组6号"},
        "mobile": _P1["mobile"], "payment": "bank_card", "bank_name": "清溪农商银行青山支行",
        "bank_account": "6228480402564890018", "by_agent": True, **_fill_person("agent", _P1),
        "agent_relation": "child",
    },
    "gas_business_permit": {
        "enterprise_name": "清溪县青山燃气有限公司", "credit_code": _ORG,
        **_fill_person("legal_rep", _P1),
        "business_types": ["lpg_bottled"],
        "premises": {"village": "330199101003", "detail": "柳塘村工业区6号"},
        "storage_capacity": 20,
        "staff": [
            {"name": _P1["name"], "id_number": _P1["id"], "role": "principal",
             "certificate_no": "ZJRQ2025-0101"},
            {"name": _P2["name"], "id_number": _P2["id"], "role": "safety",
             "certificate_no": "ZJRQ2025-0102"},
        ],
        "pledge": True,
    },
    "construction_permit": {
        "builder_name": "清溪县青山镇人民政府", "builder_credit_code": "11330127002512345R",
        "project_name": "青山镇中心幼儿园附属用房改造工程",
        "site": {"village": "330199101001", "detail": "青山镇中心幼儿园内"},
        "planning_permit_no": "建字第330127202600012号", "contract_amount": "268.5", "building_area": 620,
        "contractor_name": "清溪县青山建筑工程有限公司", "contractor_credit_code": _ORG2,
        "project_manager": "赵工", "project_manager_mobile": "13905710003",
        "construction_period": {"start": "2026-03-16", "end": "2026-08-31"},
        "pledge": True,
    },
    "dog_registration": {
        **_fill_person("owner", _P2),
        "residence": {"village": "330199101001", "detail": "青山街18号2单元301室"},
        "dog_name": "豆豆", "breed": "中华田园犬", "sex": "male", "colour": "黄色",
        "birth_date": "2024-05-01", "neutered": True, "vaccination_date": "2026-01-08",
        "vaccine_certificate_no": "QX2026-000318", "pledge": True,
    },

    "road_excavation": {
        "builder_name": "清溪县自来水有限公司", "builder_credit_code": _ORG, **_fill_person("contact", _P1),
        "road_name": "青山街（文化路至河滨路段）", "length": 120, "width": 1.5,
        "period": {"start": "2026-03-10", "end": "2026-03-30"}, "purpose": "pipeline", "pledge": True,
    },
    "posting_publicity": {
        "applicant_kind": "org", "org_name": "清溪县青山镇文化站", **_fill_person("contact", _P2),
        "content": "全民健身月宣传", "location": "青山街文化广场宣传栏", "quantity": 12,
        "period": {"start": "2026-03-05", "end": "2026-03-25"}, "pledge": True,
    },
    "medical_assistance": {
        **_fill_person("applicant", _P1), "residence": {"village": "330199101003", "detail": "柳塘村5组"},
        "category": "dibao", "illness": "慢性肾功能衰竭", "hospital": "清溪县人民医院",
        "treatment": {"start": "2026-01-05", "end": "2026-02-10"}, "total_cost": 48600, "insured_paid": 29160,
        "pledge": True,
    },
    "extreme_poverty": {
        **_fill_person("applicant", _P1), "birth_date": "1942-06-03",
        "residence": {"village": "330199101001", "detail": "青山村2组"}, "no_work_ability": "elderly",
        "support": "none", "monthly_income": 320, "care": "home", "pledge": True,
    },
    "forest_dispute": {
        **_fill_person("applicant", _P1), "respondent_name": "李某某", "respondent_mobile": "13905710009",
        "location": {"village": "330199101002", "detail": "石桥村后山（小地名：樟树坞）"}, "area": 3.5,
        "claim": "请求确认樟树坞3.5亩林地使用权归申请人所有",
        "facts": "申请人于1983年林业三定时分得该山林，持有林权证。",
        "pledge": True,
    },
    "land_dispute": {
        **_fill_person("applicant", _P2), "respondent_name": "石桥村3组", "location":
        {"village": "330199101002", "detail": "石桥村3组晒谷场东侧"}, "area": 0.4,
        "claim": "请求确认争议土地使用权", "facts": "该地块自1990年起由申请人家庭耕种。", "pledge": True,
    },
    "residence_permit": {
        **_fill_person("applicant", _P2), "address": {"village": "330199101001", "detail": "青山街18号"},
        "since": "2025-06-01", "basis": ["job", "home"], "employer": "清溪县青山农业发展有限公司",
    },
    "hard_to_employ": {
        **_fill_person("applicant", _P1), "residence": {"village": "330199101001", "detail": "青山村6组"},
        "category": "older", "unemployed_since": "2025-09-01", "pledge": True,
    },
    "pension_enrolment": {
        **_fill_person("applicant", _P2), "residence": {"village": "330199101003", "detail": "柳塘村1组"},
        "grade": "1000", "bank_account": "6228480399123456789",
    },
    "environment_award": {
        "nominee_kind": "person", "nominee_name": "王建国", **_fill_person("contact", _P1),
        "achievements": "连续十年义务巡河，清理河道垃圾，劝阻电鱼行为。",
        "period": {"start": "2016-01-01", "end": "2026-01-01"},
    },
}

