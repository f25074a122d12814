"""Demo power list of 清溪县: one published version effective 2026-01-01 with 44 items across every power
type and all three delegation modes; not every town receives every item.

Idempotent: if the county already has a version, nothing is added. ``DEMO_FORM_KEYS`` maps item codes
to the keys of the demo form definitions (``forms.demo``); items without a key have no form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.document import canonical_document
from power_lists.schemas import DocumentSchema
from service_hall.jurisdictions.models import Jurisdiction

COUNTY_CODE = "330199000000"
EFFECTIVE_FROM = dt.date(2026, 1, 1)

E, W, QS, BS, SM, TY, LT = ("330199001000", "330199002000", "330199101000", "330199102000", "330199103000",
                            "330199104000", "330199201000")
ALL = [E, W, QS, BS, SM, TY, LT]
RURAL = [QS, BS, SM, TY, LT]  # towns with villages and homesteads (not the urban streets)
URBAN = [E, W]

XKF = "中华人民共和国行政许可法"
CFF = "中华人民共和国行政处罚法"
JZ = "社会救助暂行办法"

DEVOLVED_BODY = "乡镇人民政府（街道办事处）"
ENTRUSTED_BODY = "乡镇人民政府（街道办事处），以委托机关名义实施"
FRONT_BODY = "乡镇（街道）便民服务中心（受理、初审）"

CONSULT = "各乡镇（街道）便民服务中心综合窗口；电话 0571-6400 0000"
COMPLAINT = "清溪县政务服务管理办公室；电话 12345"

DEMO_FORM_KEYS: dict[str, str] = {
    "330199-XK-001": "zhaijidi",
    "330199-XK-002": "xiangcun_guihua",
    "330199-XK-003": "linshi_zhandao",
    "330199-XK-004": "huwai_guanggao",
    "330199-XK-007": "geti_dengji",
    "330199-GF-001": "dibao",
    "330199-GF-005": "weifang_gaizao",
    "330199-QR-002": "shengyu",
    "330199-GF-003": "canji_butie",
    "330199-GF-002": "linshi_jiuzhu",
    "330199-GF-004": "gaoling_jintie",
    "330199-XK-005": "ranqi_jingying",
    "330199-XK-006": "shigong_xuke",
    "330199-QT-001": "yangquan_dengji",
}


def basis(law: str, article: str, text: str = "") -> dict[str, str]:
    return {"law": law, "article": article, "text": text}


def towns(codes: list[str], *, valid_from: dt.date | None = None, valid_until: dt.date | None = None,
          overrides: dict[str, tuple[dt.date | None, dt.date | None]] | None = None) -> list[dict[str, Any]]:
    out = []
    for code in codes:
        start, end = (overrides or {}).get(code, (valid_from, valid_until))
        out.append({"town": code, "valid_from": start, "valid_until": end})
    return out


def material(code: str, name: str, *, required: bool = True, deferrable: bool = False, source: str = "申请人自备",
             copies: int = 1, form: str = "原件") -> dict[str, Any]:
    return {"code": code, "name": name, "source": source, "paper_copies": copies, "form": form,
            "required": required, "deferrable": deferrable}


def guide(conditions: str, materials: list[dict[str, Any]], *, statutory: int, promised: int,
          result: tuple[str, str, str], immediate: bool = False, visits: int = 0, depth: int = 4,
          pledge: bool = False) -> dict[str, Any]:
    return {
        "conditions": conditions, "materials": materials, "case_type": "immediate" if immediate else "promised",
        "statutory_days": statutory, "promised_days": promised, "fee_charged": False, "fee_standard": "不收费",
        "fee_basis": "", "visits": visits, "online_depth": depth, "pledge_allowed": pledge,
        "result_name": result[0], "result_type": result[1], "result_validity": result[2],
        "consult": CONSULT, "complaint": COMPLAINT,
    }


def licensing_duties(law: str) -> dict[str, str]:
    return {
        "intake": "公示依法应当提交的材料；一次性告知补正材料；依法受理或不予受理（不予受理的书面说明理由）",
        "review": f"依据《{law}》对申请材料进行审查，需要实地核查的指派两名以上工作人员核查",
        "decision": "作出准予或不予许可的书面决定，不予许可的说明理由并告知申请行政复议或提起行政诉讼的权利",
        "delivery": "在法定期限内送达许可决定书或证件，优先电子送达",
        "supervision": "对被许可人从事许可事项的活动进行监督检查，发现违法行为依法处理",
        "other": "法律法规规章规定应履行的其他责任",
    }


BENEFIT_DUTIES = {
    "intake": "受理申请，材料不齐全的一次性告知需补正的全部内容",
    "review": "入户调查、邻里访问、信函索证、家庭经济状况核对，并在村（居）民委员会公示",
    "decision": "作出给予或不予给予的决定，不予给予的书面说明理由",
    "delivery": "按月或一次性发放，并告知申请人",
    "supervision": "定期核查救助对象家庭状况，及时办理增发、减发、停发",
    "other": "",
}
ENFORCEMENT_DUTIES = {
    "intake": "",
    "review": "立案、调查取证，执法人员不少于两人并出示执法证件",
    "decision": "告知拟作出处罚的事实、理由、依据及陈述申辩、听证权利；重大处罚经法制审核后集体讨论决定",
    "delivery": "依法送达行政处罚决定书",
    "supervision": "监督当事人履行处罚决定；不履行的依法申请强制执行",
    "other": "执法全过程记录，按规定公示执法信息",
}
INSPECTION_DUTIES = {
    "intake": "",
    "review": "制定检查计划，按“双随机、一公开”要求实施检查，检查人员不少于两人",
    "decision": "对检查发现的问题依法责令改正或移送处理",
    "delivery": "向被检查对象送达检查结果",
    "supervision": "跟踪整改落实情况",
    "other": "",
}

LICENSING_ACCOUNTABILITY = [
    {"code": "refused_valid_application", "situation": "对符合法定条件的申请不予受理的",
     "basis": f"《{XKF}》第七十二条"},
    {"code": "no_one_time_notice",
     "situation": "申请材料不齐全或者不符合法定形式，不一次告知申请人必须补正的全部内容的",
     "basis": f"《{XKF}》第七十二条"},
    {"code": "late_decision", "situation": "对符合法定条件的申请不在法定期限内作出准予决定的",
     "basis": f"《{XKF}》第七十四条"},
    {"code": "unlawful_approval", "situation": "对不符合法定条件的申请人准予许可或者超越法定职权作出准予决定的",
     "basis": f"《{XKF}》第七十四条"},
    {"code": "unlawful_fee", "situation": "擅自收费或者不按照法定项目和标准收费的", "basis": f"《{XKF}》第七十五条"},
]
BENEFIT_ACCOUNTABILITY = [
    {"code": "refused_valid_application", "situation": "对符合申请条件的救助申请不予受理的",
     "basis": f"《{JZ}》第六十六条"},
    {"code": "no_one_time_notice", "situation": "申请材料不齐全时未一次性告知需补正的全部内容的",
     "basis": "《浙江省社会救助条例》第五十六条"},
    {"code": "late_decision", "situation": "未在规定期限内作出决定的", "basis": f"《{JZ}》第六十六条"},
    {"code": "unlawful_approval", "situation": "对不符合救助条件的人员给予救助的", "basis": f"《{JZ}》第六十六条"},
    {"code": "unlawful_fee", "situation": "违反规定收取费用的", "basis": f"《{JZ}》第六十六条"},
]
ENFORCEMENT_ACCOUNTABILITY = [
    {"code": "unlawful_penalty", "situation": "没有法定依据或者擅自改变处罚种类、幅度实施处罚的",
     "basis": f"《{CFF}》第七十六条"},
    {"code": "procedure_violation", "situation": "违反法定的行政处罚程序的", "basis": f"《{CFF}》第七十六条"},
    {"code": "failure_to_act", "situation": "对应当予以制止和处罚的违法行为不予制止、处罚的",
     "basis": f"《{CFF}》第八十三条"},
]
INSPECTION_ACCOUNTABILITY = [
    {"code": "failure_to_act", "situation": "不依法履行监督检查职责，对发现的违法行为不予处理的",
     "basis": "《中华人民共和国公务员法》第五十九条"},
]


def _item(code: str, name: str, power_type: str, setting: list[dict[str, str]], department: str, mode: str,
          delegations: list[dict[str, Any]], *, implementing: list[dict[str, str]] | None = None,
          guide_: dict[str, Any] | None = None, sub_item: str = "", duties: dict[str, str] | None = None,
          accountability: list[dict[str, str]] | None = None, note: str = "", accepts: bool = False,
          two_reviewers: bool = False, separate_decider: bool = False) -> dict[str, Any]:
    body = {"devolved": DEVOLVED_BODY, "entrusted": ENTRUSTED_BODY, "front_window": FRONT_BODY}[mode]
    if mode == "devolved" and power_type == "penalty":
        implementing = [*(implementing or []), basis(CFF, "第二十四条", "省、自治区、直辖市根据当地实际情况，可以决定"
                                                                   "将基层管理迫切需要的县级人民政府部门的行政处罚权交由能够有效承接的乡镇人民政府、街道办事处行使")]
    if mode == "entrusted":
        law = XKF if power_type == "licensing" else CFF if power_type == "penalty" else ""
        if law:
            implementing = [*(implementing or []), basis(law, "第二十四条" if law == XKF else "第二十条")]
    return {
        "code": code, "name": name, "sub_item": sub_item, "power_type": power_type, "setting_basis": setting,
        "implementing_basis": implementing or [], "original_department": department, "receiving_body": body,
        "delegation_mode": mode, "delegations": delegations, "responsibilities": duties or {},
        "accountability": accountability or [], "accepts_applications": accepts, "two_reviewers": two_reviewers,
        "separate_decider": separate_decider, "guide": guide_, "note": note,
    }


NONG = "清溪县农业农村局"
GUI = "清溪县自然资源和规划局"
JIAN = "清溪县住房和城乡建设局"
ZHI = "清溪县综合行政执法局"
SHI = "清溪县市场监督管理局"
MIN = "清溪县民政局"
CAN = "清溪县残疾人联合会"
WEI = "清溪县卫生健康局"
GONG = "清溪县公安局"
HUAN = "湖州市生态环境局清溪分局"
REN = "清溪县人力资源和社会保障局"
YI = "清溪县医疗保障局"
LIN = "清溪县林业局"
XIAO = "清溪县消防救援大队"
D = dt.date


def demo_items() -> list[dict[str, Any]]:
    """The 44 items of the demo list (canonical raw form, before loading)."""
    lic = "licensing"
    items = [
        _item("330199-XK-001", "农村村民宅基地审批", lic, [basis("中华人民共和国土地管理法", "第六十二条",
              "农村村民住宅用地，由乡（镇）人民政府审核批准")], NONG, "devolved", towns(RURAL),
              implementing=[basis("浙江省土地管理条例", "第三十五条")],
              guide_=guide("本村集体经济组织成员，符合“一户一宅”和规划要求", [
                  material("M01", "农村宅基地和建房（规划许可）申请表"),
                  material("M02", "申请人及家庭成员居民身份证、户口簿", form="复印件"),
                  material("M03", "农村宅基地使用承诺书"),
                  material("M04", "村民小组会议记录及村级公示材料"),
                  material("M05", "现有宅基地或住房的不动产权属证明", required=False, form="复印件"),
                  material("M06", "住房设计图或选用的通用图", deferrable=True),
              ], statutory=20, promised=10, result=("农村宅基地批准书", "证照", "长期"), visits=1, depth=3),
              duties=licensing_duties("中华人民共和国土地管理法"), accountability=LICENSING_ACCOUNTABILITY,
              two_reviewers=True, separate_decider=True),
        _item("330199-XK-002", "乡村建设规划许可证核发", lic, [basis("中华人民共和国城乡规划法", "第四十一条",
              "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设的，建设单位或者个人应当向乡、镇人民政府提出申请")],
              GUI, "devolved", towns(RURAL),
              guide_=guide("在乡、村庄规划区内进行建设，符合村庄规划", [
                  material("M01", "乡村建设规划许可申请表"),
                  material("M02", "建设单位营业执照或个人身份证明", form="复印件"),
                  material("M03", "土地权属证明或用地批准文件", form="复印件"),
                  material("M04", "建设工程设计方案（含总平面图）"),
                  material("M05", "村民委员会意见", deferrable=True),
              ], statutory=20, promised=10, result=("乡村建设规划许可证", "证照", "2年（逾期未开工自动失效）")),
              duties=licensing_duties("中华人民共和国城乡规划法"), accountability=LICENSING_ACCOUNTABILITY,
              two_reviewers=True),
        _item("330199-XK-003", "临时占用城市道路审批", lic, [basis("城市道路管理条例", "第三十一条",
              "因特殊情况需要临时占用城市道路的，须经市政工程行政主管部门和公安交通管理部门批准")], JIAN, "entrusted",
              towns([E, W, QS]),
              guide_=guide("因特殊情况需临时占用城市道路，且不影响交通安全", [
                  material("M01", "临时占用城市道路申请书"),
                  material("M02", "申请人身份证或营业执照", form="复印件"),
                  material("M03", "占道位置平面示意图"),
                  material("M04", "安全保障措施及交通疏导方案", deferrable=True),
                  material("M05", "建设工程施工许可证明", required=False, form="复印件"),
              ], statutory=20, promised=5, result=("临时占用城市道路许可决定书", "批文", "按批准的占用期限")),
              duties=licensing_duties("城市道路管理条例"), accountability=LICENSING_ACCOUNTABILITY),
        _item("330199-XK-004", "大型户外广告设置审批", lic, [basis("城市市容和环境卫生管理条例", "第十一条",
              "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定办理审批手续")],
              ZHI, "entrusted", towns(URBAN),
              guide_=guide("设置位置符合户外广告设置规划，结构安全", [
                  material("M01", "户外广告设置申请书"),
                  material("M02", "营业执照", form="复印件"),
                  material("M03", "设置场地使用权证明或租赁协议", form="复印件"),
                  material("M04", "设计效果图、结构图及位置图"),
                  material("M05", "结构安全检测报告", deferrable=True),
                  material("M06", "安全责任承诺书"),
              ], statutory=20, promised=7, result=("户外广告设置许可决定书", "批文", "不超过3年")),
              duties=licensing_duties("城市市容和环境卫生管理条例"), accountability=LICENSING_ACCOUNTABILITY),
        _item("330199-XK-005", "燃气经营许可", lic, [basis("城镇燃气管理条例", "第十五条",
              "从事燃气经营活动的，应当依法取得燃气经营许可")], JIAN, "front_window", towns([E, W, QS, BS]),
              guide_=guide("有符合国家标准的燃气气源和燃气设施，有固定的经营场所和完善的安全管理制度", [
                  material("M01", "燃气经营许可申请书"),
                  material("M02", "营业执照", form="复印件"),
                  material("M03", "燃气设施建设工程竣工验收文件"),
                  material("M04", "安全评价报告"),
                  material("M05", "从业人员专业培训考核合格证明", form="复印件"),
                  material("M06", "安全管理制度和应急预案"),
                  material("M07", "经营场所土地及房屋使用证明", form="复印件"),
              ], statutory=20, promised=15, result=("燃气经营许可证", "证照", "5年"), visits=1, depth=3),
              duties=licensing_duties("城镇燃气管理条例"), accountability=LICENSING_ACCOUNTABILITY,
              note="镇（街道）窗口受理、初审，县住房和城乡建设局作出许可决定"),
        _item("330199-XK-006", "建筑工程施工许可", lic, [basis("中华人民共和国建筑法", "第七条",
              "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府建设行政主管部门申请领取施工许可证")],
              JIAN, "front_window", towns([E, W, QS], overrides={QS: (D(2026, 7, 1), None)}),
              implementing=[basis("中华人民共和国建筑法", "第八条")],
              guide_=guide("已办理用地和规划许可，施工图审查合格，建设资金已落实", [
                  material("M01", "建筑工程施工许可证申请表"),
                  material("M02", "建设工程（乡村建设）规划许可证", form="复印件"),
                  material("M03", "施工合同", form="复印件"),
                  material("M04", "施工图设计文件审查合格书", deferrable=True),
                  material("M05", "保证工程质量和安全的具体措施"),
                  material("M06", "建设资金已经落实承诺书"),
              ], statutory=7, promised=3, result=("建筑工程施工许可证", "证照", "3个月内开工"), pledge=True),
              duties=licensing_duties("中华人民共和国建筑法"), accountability=LICENSING_ACCOUNTABILITY,
              note="限工程投资额400万元以下的小型工程；青山镇自2026年7月1日起承接"),
        _item("330199-XK-007", "个体工商户登记", lic, [basis("促进个体工商户发展条例", "第九条"),
              basis("中华人民共和国市场主体登记管理条例", "第三条")], SHI, "entrusted", towns([E, W, QS, BS, TY]),
              implementing=[basis("中华人民共和国市场主体登记管理条例", "第十九条",
                                  "对申请材料齐全、符合法定形式的予以确认并当场登记")],
              sub_item="设立登记",
              guide_=guide("有经营能力的公民，经营场所符合规定", [
                  material("M01", "个体工商户登记申请书"),
                  material("M02", "经营者身份证明", form="复印件"),
                  material("M03", "经营场所使用证明", form="复印件"),
                  material("M04", "家庭成员关系证明", required=False, form="复印件"),
              ], statutory=3, promised=0, immediate=True, result=("营业执照", "证照", "长期")),
              duties=licensing_duties("中华人民共和国市场主体登记管理条例"), accountability=LICENSING_ACCOUNTABILITY),
        _item("330199-XK-008", "挖掘城市道路审批", lic, [basis("城市道路管理条例", "第三十三条")], JIAN, "entrusted",
              towns(URBAN),
              guide_=guide("因工程建设需要挖掘城市道路", [
                  material("M01", "挖掘城市道路申请书"),
                  material("M02", "城市规划部门批准签发的文件", form="复印件"),
                  material("M03", "施工设计文件及施工方案"),
              ], statutory=20, promised=7, result=("挖掘城市道路许可决定书", "批文", "按批准的挖掘期限")),
              duties=licensing_duties("城市道路管理条例"), accountability=LICENSING_ACCOUNTABILITY),
        _item("330199-XK-009", "在城市建筑物、设施上张挂、张贴宣传品审批", lic,
              [basis("城市市容和环境卫生管理条例", "第十一条")], ZHI, "entrusted",
              towns([E, W, TY], overrides={TY: (D(2026, 3, 1), None)}),
              guide_=guide("因特殊需要临时张挂、张贴宣传品", [
                  material("M01", "申请书"), material("M02", "宣传品样稿及张挂位置图"),
              ], statutory=20, promised=3, result=("同意张挂（张贴）宣传品的决定", "批文", "按批准期限")),
              duties=licensing_duties("城市市容和环境卫生管理条例"), accountability=LICENSING_ACCOUNTABILITY),
        # 行政给付
        _item("330199-GF-001", "最低生活保障审核确认", "benefit", [basis(JZ, "第九条"), basis(JZ, "第十一条",
              "申请最低生活保障，按照下列程序办理……乡镇人民政府、街道办事处应当通过入户调查、邻里访问、信函索证、"
              "群众评议、信息核查等方式，对申请人的家庭收入状况、财产状况进行调查核实")], MIN, "devolved", towns(ALL),
              guide_=guide("共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定", [
                  material("M01", "最低生活保障申请书"),
                  material("M02", "家庭成员居民身份证、户口簿", form="复印件"),
                  material("M03", "家庭经济状况核对授权书"),
                  material("M04", "收入证明", deferrable=True),
                  material("M05", "残疾人证或疾病诊断证明", required=False, form="复印件"),
              ], statutory=30, promised=20, result=("最低生活保障金领取证", "证照", "定期复核")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY, two_reviewers=True, separate_decider=True),
        _item("330199-GF-002", "临时救助", "benefit", [basis(JZ, "第四十七条"), basis(JZ, "第四十八条")], MIN,
              "devolved", towns(ALL),
              guide_=guide("因火灾、交通事故等意外事件或家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难", [
                  material("M01", "临时救助申请书"),
                  material("M02", "申请人身份证、户口簿", form="复印件"),
                  material("M03", "困难情况证明", deferrable=True),
                  material("M04", "家庭经济状况核对授权书"),
              ], statutory=15, promised=5, result=("临时救助金", "其他", "一次性"), pledge=True),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY),
        _item("330199-GF-003", "残疾人两项补贴", "benefit", [basis("中华人民共和国残疾人保障法", "第四十八条")], MIN,
              "devolved", towns(ALL), sub_item="困难残疾人生活补贴和重度残疾人护理补贴",
              guide_=guide("持有第二代残疾人证，属低保家庭或重度残疾", [
                  material("M01", "残疾人两项补贴申请审批表"),
                  material("M02", "第二代中华人民共和国残疾人证", form="复印件"),
                  material("M03", "居民身份证、户口簿", form="复印件"),
                  material("M04", "低保或低保边缘家庭证明", required=False),
                  material("M05", "代办人身份证", required=False, form="复印件"),
              ], statutory=20, promised=10, result=("残疾人两项补贴", "其他", "按月发放")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY),
        _item("330199-GF-004", "高龄津贴", "benefit", [basis("中华人民共和国老年人权益保障法", "第三十三条")], MIN,
              "devolved", towns(ALL),
              guide_=guide("具有本县户籍、年满80周岁的老年人", [
                  material("M01", "老人居民身份证", form="复印件"),
                  material("M02", "户口簿", form="复印件"),
                  material("M03", "社会保障卡或银行卡复印件", form="复印件"),
                  material("M04", "代办人身份证", required=False, form="复印件"),
              ], statutory=20, promised=5, result=("高龄津贴", "其他", "按月发放")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY),
        _item("330199-GF-005", "农村危房改造补助", "benefit", [basis(JZ, "第三十八条"), basis(JZ, "第四十条")],
              JIAN, "devolved", towns(RURAL),
              guide_=guide("低保、低保边缘、分散供养特困人员等困难家庭，现住房经鉴定为C级或D级危房", [
                  material("M01", "农村危房改造申请表"),
                  material("M02", "申请人身份证、户口簿", form="复印件"),
                  material("M03", "困难家庭身份证明"),
                  material("M04", "房屋安全性鉴定报告", deferrable=True),
                  material("M05", "房屋现状照片", form="电子"),
              ], statutory=30, promised=20, result=("农村危房改造补助", "其他", "一次性"), visits=1, depth=3),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY, two_reviewers=True),
        _item("330199-GF-006", "医疗救助", "benefit", [basis(JZ, "第二十八条"), basis(JZ, "第三十一条")], YI,
              "front_window", towns(ALL),
              guide_=guide("最低生活保障家庭成员、特困供养人员等，经基本医疗保险报销后个人负担仍较重", [
                  material("M01", "医疗救助申请表"),
                  material("M02", "医疗费用发票及结算单", form="复印件"),
                  material("M03", "身份证、户口簿", form="复印件"),
              ], statutory=20, promised=10, result=("医疗救助金", "其他", "一次性")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY,
              note="镇（街道）受理、初审，县医疗保障局审批"),
        # 行政确认
        _item("330199-QR-001", "特困人员认定", "confirmation", [basis(JZ, "第十四条"), basis(JZ, "第十五条")], MIN,
              "devolved", towns(ALL),
              guide_=guide("无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其义务人无履行能力的"
                           "老年人、残疾人及未成年人", [
                  material("M01", "特困人员救助供养申请书"),
                  material("M02", "身份证、户口簿", form="复印件"),
                  material("M03", "残疾人证或劳动能力评估材料", required=False, form="复印件"),
              ], statutory=30, promised=20, result=("特困人员救助供养证", "证照", "定期复核")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY, two_reviewers=True),
        _item("330199-QR-002", "生育登记（再生育审批）", "confirmation",
              [basis("中华人民共和国人口与计划生育法", "第十八条"),
              basis("浙江省人口与计划生育条例", "第十八条")], WEI, "devolved", towns(ALL),
              guide_=guide("夫妻双方或一方户籍在本县，或在本县居住", [
                  material("M01", "夫妻双方居民身份证", form="复印件"),
                  material("M02", "结婚证", form="复印件"),
                  material("M03", "户口簿", form="复印件"),
                  material("M04", "现有子女出生医学证明", required=False, form="复印件"),
                  material("M05", "再生育情形证明材料", required=False, form="复印件"),
              ], statutory=0, promised=0, immediate=True, result=("生育服务登记", "其他", "长期")),
              duties=licensing_duties("中华人民共和国人口与计划生育法"), accountability=LICENSING_ACCOUNTABILITY[:3]),
        # 行政裁决
        _item("330199-CJ-001", "林木所有权和林地使用权争议处理", "adjudication",
              [basis("中华人民共和国森林法", "第二十二条",
                     "个人之间、个人与单位之间发生的林木所有权和林地使用权争议，由乡镇人民政府或者县级以上人民政府依法处理")],
              LIN, "devolved", towns(RURAL),
              guide_=guide("个人之间、个人与单位之间的林木所有权和林地使用权争议", [
                  material("M01", "争议处理申请书"), material("M02", "当事人身份证明", form="复印件"),
                  material("M03", "权属来源证明材料", form="复印件"),
              ], statutory=60, promised=45, result=("争议处理决定书", "批文", "长期"), visits=1, depth=2),
              duties=licensing_duties("中华人民共和国森林法"), accountability=LICENSING_ACCOUNTABILITY[:3],
              two_reviewers=True, separate_decider=True),
        _item("330199-CJ-002", "土地权属争议调处", "adjudication",
              [basis("中华人民共和国土地管理法", "第十四条")], GUI, "devolved", towns(RURAL),
              guide_=guide("个人之间、个人与单位之间的土地所有权和使用权争议", [
                  material("M01", "土地权属争议调处申请书"), material("M02", "当事人身份证明", form="复印件"),
                  material("M03", "土地权属来源证明", form="复印件"),
              ], statutory=60, promised=45, result=("土地权属争议处理决定书", "批文", "长期"), visits=1, depth=2),
              duties=licensing_duties("中华人民共和国土地管理法"), accountability=LICENSING_ACCOUNTABILITY[:3],
              two_reviewers=True, separate_decider=True),
        # 公共服务
        _item("330199-GG-001", "居住证办理", "public_service", [basis("居住证暂行条例", "第十条")], GONG, "entrusted",
              towns(URBAN),
              guide_=guide("离开常住户口所在地，在本县居住半年以上，有合法稳定就业、住所或连续就读", [
                  material("M01", "居民身份证", form="原件"), material("M02", "近期免冠照片", form="电子"),
                  material("M03", "居住证明（房产证明或租赁合同）", form="复印件"),
              ], statutory=15, promised=7, result=("居住证", "证照", "1年（签注后延长）")),
              duties=licensing_duties("居住证暂行条例"), accountability=LICENSING_ACCOUNTABILITY[:3]),
        _item("330199-GG-002", "就业困难人员认定", "public_service", [basis("中华人民共和国就业促进法", "第五十二条")],
              REN, "front_window", towns(ALL),
              guide_=guide("法定劳动年龄内、有劳动能力和就业愿望，因身体状况、技能水平等原因难以实现就业", [
                  material("M01", "就业困难人员认定申请表"), material("M02", "居民身份证", form="复印件"),
                  material("M03", "困难类别证明材料", deferrable=True, form="复印件"),
              ], statutory=15, promised=10, result=("就业困难人员认定结果", "其他", "3年")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY[:3]),
        _item("330199-GG-003", "城乡居民基本养老保险参保登记", "public_service",
              [basis("中华人民共和国社会保险法", "第二十条"), basis("中华人民共和国社会保险法", "第二十二条")],
              REN, "front_window", towns(ALL),
              guide_=guide("年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险"
                           "覆盖范围的城乡居民", [
                  material("M01", "居民身份证", form="复印件"),
              ], statutory=0, promised=0, immediate=True, result=("参保登记", "其他", "长期")),
              duties=BENEFIT_DUTIES, accountability=BENEFIT_ACCOUNTABILITY[:3]),
        # 其他行政权力
        _item("330199-QT-001", "养犬登记", "other", [basis("中华人民共和国动物防疫法", "第三十条",
              "单位和个人饲养犬只，应当按照规定定期免疫接种狂犬病疫苗，凭动物诊疗机构出具的免疫证明向所在地养犬登记机关申请登记")],
              GONG, "entrusted", towns(URBAN), accepts=True,
              guide_=guide("在县城区和镇（街道）人民政府所在地饲养犬只，每户限养一只", [
                  material("M01", "养犬人居民身份证", form="复印件"),
                  material("M02", "犬只狂犬病免疫证明"),
                  material("M03", "犬只正面和侧面照片", form="电子"),
                  material("M04", "住所证明", required=False, form="复印件"),
              ], statutory=7, promised=3, result=("养犬登记证", "证照", "1年")),
              duties=licensing_duties("中华人民共和国动物防疫法"), accountability=LICENSING_ACCOUNTABILITY[:3]),
        # 行政奖励
        _item("330199-JL-001", "对保护和改善环境有显著成绩的单位和个人的奖励", "reward",
              [basis("中华人民共和国环境保护法", "第十一条",
                     "对保护和改善环境有显著成绩的单位和个人，由人民政府给予奖励")],
              HUAN, "devolved", towns(ALL),
              guide_=guide("在保护和改善生态环境方面有显著成绩", [
                  material("M01", "奖励申报表"), material("M02", "事迹材料及证明"),
              ], statutory=30, promised=20, result=("表彰奖励决定", "其他", "长期")),
              duties=licensing_duties("中华人民共和国环境保护法"), accountability=LICENSING_ACCOUNTABILITY[:1]),
        # 行政征收
        _item("330199-ZS-001", "城市道路占道费征收", "levy", [basis("城市道路管理条例", "第三十七条",
              "占用城市道路的，应当按照规定缴纳占道费")], JIAN, "entrusted", towns(URBAN),
              duties=ENFORCEMENT_DUTIES, accountability=[
                  {"code": "unlawful_fee", "situation": "擅自提高标准或者扩大范围收费的",
                   "basis": "《城市道路管理条例》第四十四条"}]),
        # 行政处罚（城管执法、生态环保等）
        _item("330199-CF-001", "对露天焚烧秸秆、落叶等产生烟尘污染物质的处罚", "penalty",
              [basis("中华人民共和国大气污染防治法", "第一百一十九条第二款")], HUAN, "devolved", towns(ALL),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-002", "对随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物的处罚", "penalty",
              [basis("城市市容和环境卫生管理条例", "第三十四条")], ZHI, "devolved", towns([E, W, QS, BS]),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-003", "对擅自设置大型户外广告影响市容的处罚", "penalty",
              [basis("城市市容和环境卫生管理条例", "第三十六条")], ZHI, "devolved", towns(URBAN),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-004", "对未取得乡村建设规划许可证或未按许可证规定进行建设的处罚", "penalty",
              [basis("中华人民共和国城乡规划法", "第六十五条",
                     "在乡、村庄规划区内未依法取得乡村建设规划许可证或者未按照乡村建设规划许可证的规定进行建设的，"
                     "由乡、镇人民政府责令停止建设、限期改正")], GUI, "devolved", towns(RURAL),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-005", "对擅自占用或者挖掘城市道路的处罚", "penalty", [basis("城市道路管理条例", "第四十二条")],
              JIAN, "entrusted", towns([E, W, QS]), duties=ENFORCEMENT_DUTIES,
              accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-006", "对排放油烟的餐饮服务业经营者未安装油烟净化设施的处罚", "penalty",
              [basis("中华人民共和国大气污染防治法", "第一百一十八条")], HUAN, "devolved", towns(URBAN),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-007", "对占用、堵塞、封闭疏散通道、安全出口的处罚", "penalty",
              [basis("中华人民共和国消防法", "第六十条")], XIAO, "devolved", towns([QS, BS, SM, TY]),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-008", "对农村村民非法占用土地建住宅的处罚", "penalty",
              [basis("中华人民共和国土地管理法", "第七十八条")], NONG, "devolved", towns(RURAL),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-009", "对随意倾倒、抛撒、堆放或者焚烧生活垃圾的处罚", "penalty",
              [basis("中华人民共和国固体废物污染环境防治法", "第一百一十一条")], ZHI, "devolved", towns(ALL),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-010", "对擅自在街道两侧和公共场地堆放物料、搭建建筑物的处罚", "penalty",
              [basis("城市市容和环境卫生管理条例", "第三十六条")], ZHI, "devolved", towns([E, W, QS]),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-CF-011", "对在饮用水水源一级保护区内从事网箱养殖、旅游、游泳、垂钓的处罚", "penalty",
              [basis("中华人民共和国水污染防治法", "第九十一条")], HUAN, "entrusted",
              towns([SM, TY, LT], overrides={LT: (None, D(2026, 12, 31))}), duties=ENFORCEMENT_DUTIES,
              accountability=ENFORCEMENT_ACCOUNTABILITY, note="龙潭乡为试点，委托期限至2026年12月31日"),
        _item("330199-CF-012", "对损毁城市道路及其附属设施的处罚", "penalty", [basis("城市道路管理条例", "第四十二条")],
              JIAN, "devolved", towns(URBAN), duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        # 行政强制（行政强制法第十七条：行政强制措施权不得委托，故只下放）
        _item("330199-QZ-001", "查封、扣押违法排放污染物造成或者可能造成严重污染的设施、设备", "coercion",
              [basis("中华人民共和国环境保护法", "第二十五条")], HUAN, "devolved", towns([E, W, QS]),
              implementing=[basis("中华人民共和国行政强制法", "第十七条")],
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-QZ-002", "对逾期不改正的违法乡村建设予以拆除", "coercion",
              [basis("中华人民共和国城乡规划法", "第六十五条")], GUI, "devolved", towns(RURAL),
              implementing=[basis("中华人民共和国行政强制法", "第四十四条")],
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        _item("330199-QZ-003", "查封违法建设施工现场", "coercion",
              [basis("中华人民共和国城乡规划法", "第六十八条")], GUI, "devolved", towns([E, W, QS, BS]),
              duties=ENFORCEMENT_DUTIES, accountability=ENFORCEMENT_ACCOUNTABILITY),
        # 行政检查
        _item("330199-JC-001", "对排放污染物的企业事业单位和其他生产经营者的现场检查", "inspection",
              [basis("中华人民共和国环境保护法", "第二十四条")], HUAN, "entrusted", towns(ALL),
              duties=INSPECTION_DUTIES, accountability=INSPECTION_ACCOUNTABILITY),
        _item("330199-JC-002", "对建设工程施工现场扬尘污染防治的监督检查", "inspection",
              [basis("中华人民共和国大气污染防治法", "第二十九条")], JIAN, "devolved", towns([E, W, QS]),
              duties=INSPECTION_DUTIES, accountability=INSPECTION_ACCOUNTABILITY),
        _item("330199-JC-003", "对乡村建设规划实施情况的监督检查", "inspection",
              [basis("中华人民共和国城乡规划法", "第五十三条")], GUI, "devolved", towns(RURAL),
              duties=INSPECTION_DUTIES, accountability=INSPECTION_ACCOUNTABILITY),
        _item("330199-JC-004", "对单位遵守消防法律法规情况的监督检查", "inspection",
              [basis("中华人民共和国消防法", "第五十三条")], XIAO, "devolved", towns([QS, BS, SM, TY]),
              duties=INSPECTION_DUTIES, accountability=INSPECTION_ACCOUNTABILITY),
        _item("330199-JC-005", "对城市生活垃圾分类投放情况的监督检查", "inspection",
              [basis("中华人民共和国固体废物污染环境防治法", "第四十九条")], ZHI, "devolved", towns(ALL),
              duties=INSPECTION_DUTIES, accountability=INSPECTION_ACCOUNTABILITY),
    ]
    return items


def demo_document() -> dict[str, Any]:
    """The demo list as a checked canonical document (raises ValidationError if the data above is wrong)."""
    raw = {"format_version": 1, "county": {"code": COUNTY_CODE, "name": "清溪县"},
           "version": {"title": "清溪县赋予乡镇（街道）县级行政权力事项清单（2026年版）",
                       "note": "依据《中华人民共和国行政处罚法》第二十四条等规定，经县人民政府同意公布"},
           "items": [_json_ready(i) for i in demo_items()]}
    return canonical_document(DocumentSchema().load(raw))


def _json_ready(item: dict[str, Any]) -> dict[str, Any]:
    item = dict(item)
    item["delegations"] = [{**d, "valid_from": d["valid_from"].isoformat() if d["valid_from"] else None,
                            "valid_until": d["valid_until"].isoformat() if d["valid_until"] else None}
                           for d in item["delegations"]]
    return item


def load_demo_power_list(session: Session, *, now: dt.datetime) -> bool:
    """Create and publish the demo list unless the county already has a list. Returns True if created."""
    from power_lists.models import PowerListVersion, VersionStatus
    from power_lists.versions import _audit, import_draft
    from service_hall.audit.actions import AuditAction

    county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == COUNTY_CODE))
    if county is None:
        return False
    if session.scalar(select(PowerListVersion.id).where(PowerListVersion.county_id == county.id).limit(1)):
        return False
    document = demo_document()
    version = import_draft(session, county, document, actor=None, now=now, filename="demo")
    # The demo list took effect before the demo starts, so it is published directly rather than through
    # review (which refuses effective dates in the past).
    version.status = VersionStatus.PUBLISHED
    version.effective_from = EFFECTIVE_FROM
    version.submitted_at = version.published_at = now
    version.review_comment = "演示数据"
    session.flush()
    _audit(session, version, AuditAction.POWER_LIST_PUBLISH, actor=None, now=now, from_state=VersionStatus.DRAFT,
           payload={"effective_from": EFFECTIVE_FROM.isoformat(), "demo": True})
    return True
