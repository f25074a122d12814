"""Document data for the Flask-free pipeline: a certificate and every kind of notice, with a rare-character
name, in the name of an entrusting department."""

from __future__ import annotations

import datetime as dt

from service_hall.documents import (
    Authority,
    CertificateData,
    CorrectionItem,
    DeliveryChannel,
    DeliveryRecord,
    NoticeData,
    NoticeKind,
    PermitTerms,
    Remedies,
    mask_id_number,
)

RARE_NAME = "王堃喆龑"  # none of the three is in GB 2312
DEPARTMENT = "临安县市场监督管理局"
TOWN = "於潜镇人民政府"
VERIFY_URL = "https://zwfw.example.gov.cn/verify/JY13301850012345?c=8f3a9c"


def make_certificate(**changes: object) -> CertificateData:
    values: dict[str, object] = {
        "certificate_number": "JY13301850012345",
        "certificate_name": "食品经营许可证",
        "holder_name": RARE_NAME,
        "holder_id": mask_id_number("330185199001011234"),
        "address": "浙江省杭州市临安区於潜镇环南路88号",
        "item_name": "食品经营许可（仅销售预包装食品）",
        "scope": "预包装食品（不含冷藏冷冻食品）销售；散装食品（含冷藏冷冻食品）销售。",
        "conditions": ("经营场所面积不少于二十平方米", "建立健全食品安全管理制度"),
        "valid_from": dt.date(2025, 3, 1),
        "valid_until": dt.date(2030, 2, 28),
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "authority": Authority.entrusted(department=DEPARTMENT, town=TOWN),
        "issued_on": dt.date(2025, 3, 1),
        "verification_url": VERIFY_URL,
    }
    values.update(changes)
    return CertificateData(**values)  # type: ignore[arg-type]


REMEDIES = Remedies(reconsideration_body="临安县人民政府", court="临安县人民法院")


def make_notice(kind: NoticeKind, **changes: object) -> NoticeData:
    """Notice data with everything ``kind`` needs."""
    values: dict[str, object] = {
        "document_number": "临市监许〔2025〕12号",
        "authority": Authority.entrusted(department=DEPARTMENT, town=TOWN),
        "applicant_name": RARE_NAME,
        "applicant_id": mask_id_number("330185199001011234"),
        "item_name": "食品经营许可",
        "case_number": "SQ2025030100012",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "issued_on": dt.date(2025, 3, 3),
        "received_on": dt.date(2025, 3, 1),
        "contact": "李明 0571-63800000",
    }
    values.update({
        NoticeKind.ACCEPTANCE: {"deadline": dt.date(2025, 3, 28)},
        NoticeKind.CORRECTION: {
            "deadline": dt.date(2025, 3, 20),
            "items": (
                CorrectionItem("营业执照复印件", "未提交"),
                CorrectionItem("经营场所平面图", "未标明面积"),
                CorrectionItem("法定代表人身份证明", "已过有效期"),
            ),
        },
        NoticeKind.REFUSAL: {
            "reasons": ("申请事项依法不需要取得行政许可",),
            "competent_office": "临安县卫生健康局",
            "remedies": REMEDIES,
        },
        NoticeKind.EXTENSION: {"reasons": ("需现场核查经营场所",), "deadline": dt.date(2025, 4, 11)},
        NoticeKind.APPROVAL: {
            "permit": PermitTerms("食品经营许可证", "JY13301850012345", "预包装食品销售",
                                  dt.date(2025, 3, 3), dt.date(2030, 3, 2)),
        },
        NoticeKind.DENIAL: {
            "reasons": ("经营场所与住宅未有效隔离", "未配备食品安全管理人员"),
            "remedies": REMEDIES,
        },
        NoticeKind.REVOCATION: {"reasons": ("事后核查发现申请人承诺的经营场所与实际不符",), "remedies": REMEDIES},
        NoticeKind.REVOCATION_INTENT: {"reasons": ("经营场所与申请材料所载不符",), "deadline": dt.date(2025, 3, 10)},
        NoticeKind.RECEIPT: {"received": ("食品经营许可申请书（申请书.pdf）", "营业执照（执照.png）"),
                             "received_at": dt.datetime(2025, 3, 1, 9, 30)},
        NoticeKind.BENEFIT_GRANT: {"licensing": False, "terms": (("给付金额", "200 元"),
                                                                   ("发放方式和期限", "按月发放，自2025年4月起"))},
        NoticeKind.BENEFIT_DENIAL: {"licensing": False, "reasons": ("未满八十周岁",), "remedies": REMEDIES},
        NoticeKind.CONFIRMATION: {"licensing": False, "terms": (("确认事项", "特困人员"),)},
        NoticeKind.CONFIRMATION_DENIAL: {"licensing": False, "reasons": ("有法定赡养人",), "remedies": REMEDIES},
        NoticeKind.REWARD: {"licensing": False, "terms": (("奖励内容", "环境保护先进个人"), ("奖金", "2000 元"))},
        NoticeKind.REWARD_DENIAL: {"licensing": False, "reasons": ("事迹不符合评选条件",), "remedies": REMEDIES},
        NoticeKind.PARTY_NOTICE: {"licensing": False, "other_party": "赵某", "deadline": dt.date(2025, 3, 18)},
        NoticeKind.ADJUDICATION: {"licensing": False, "other_party": "赵某", "answer": "该林地一直由我家经营",
                                  "terms": (("裁决内容", "争议林地的林木所有权归申请人所有"),)},
        NoticeKind.ADJUDICATION_DISMISSAL: {"licensing": False, "other_party": "赵某",
                                            "reasons": ("争议已经人民法院判决",), "remedies": REMEDIES},
        NoticeKind.SERVICE_DONE: {"licensing": False, "terms": (("办理结果", "已签发居住证"),)},
        NoticeKind.SERVICE_DECLINED: {"licensing": False, "reasons": ("居住未满半年",)},
        NoticeKind.OTHER_GRANT: {"licensing": False},
        NoticeKind.OTHER_DENIAL: {"licensing": False, "reasons": ("犬只未免疫",), "remedies": REMEDIES},
        NoticeKind.DELIVERY: {
            "delivery": DeliveryRecord(
                document_title="准予行政许可决定书", document_number="临市监许〔2025〕12号",
                method=DeliveryChannel.ELECTRONIC, delivered_at=dt.datetime(2025, 3, 3, 14, 5),
                recipient=RARE_NAME, address="浙江政务服务网账户", delivered_by="张三",
                signer=RARE_NAME, signer_relation="本人", signed_at=dt.datetime(2025, 3, 3, 14, 5),
            ),
        },
    }[kind])
    values.update(changes)
    return NoticeData(**values)  # type: ignore[arg-type]
