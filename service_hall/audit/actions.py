"""The names of audited actions and how staff read them.

``AuditRecord.action`` stores the value (``case.accept``, ``power_list.publish`` …), so the values never
change: records already in the chain must keep reading the same. The ``case.*`` names are the case
transitions (``service_hall.cases.transitions.Action``) prefixed with ``case.``; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # The case flow: one per transition Action, written by ``transitions.apply``.
    CASE_SUBMIT = "case.submit"
    CASE_RESUBMIT = "case.resubmit"
    CASE_ACCEPT = "case.accept"
    CASE_ACCEPT_WITH_PLEDGE = "case.accept_with_pledge"
    CASE_REQUEST_CORRECTION = "case.request_correction"
    CASE_REFUSE = "case.refuse"
    CASE_DEEM_ACCEPT = "case.deem_accept"
    CASE_WITHDRAW = "case.withdraw"
    CASE_SIGN_PLEDGE = "case.sign_pledge"
    CASE_APPROVE_ON_PLEDGE = "case.approve_on_pledge"
    CASE_START_SPECIAL = "case.start_special"
    CASE_END_SPECIAL = "case.end_special"
    CASE_RECORD_OPINION = "case.record_opinion"
    CASE_COMPLETE_REVIEW = "case.complete_review"
    CASE_EXTEND = "case.extend"
    CASE_APPROVE = "case.approve"
    CASE_DENY = "case.deny"
    CASE_DELIVER = "case.deliver"
    CASE_PASS_CHECK = "case.pass_check"
    CASE_NOTIFY_REVOCATION = "case.notify_revocation"
    CASE_SUBMIT_STATEMENT = "case.submit_statement"
    CASE_REVOKE = "case.revoke"
    CASE_NOTIFY_PARTY = "case.notify_party"
    CASE_RECORD_ANSWER = "case.record_answer"
    CASE_AWAIT_PREREQUISITE = "case.await_prerequisite"
    CASE_START_AFTER_PREREQUISITE = "case.start_after_prerequisite"
    CASE_TERMINATE = "case.terminate"
    # Around the case flow.
    CASE_REFUSED_ATTEMPT = "case.refused_attempt"
    CASE_SUPPLY_DEFERRED = "case.supply_deferred"  # 容缺材料补交 (no status change)
    ACCOUNTABILITY_RAISE = "accountability.raise"
    ACCOUNTABILITY_RESOLVE = "accountability.resolve"
    RATING_CREATE = "rating.create"
    RECTIFICATION_CALLBACK = "rectification.callback"
    RECTIFICATION_VERIFY = "rectification.verify"
    RECTIFICATION_RETURN = "rectification.return"
    RATING_REVISE = "rating.revise"
    RATING_APPEAL = "rating.appeal"  # 申诉复核 filed by the hall
    RATING_APPEAL_DECIDE = "rating.appeal_decide"
    VISIT_RECORD = "visit.record"
    # Certificates.
    CERTIFICATE_ISSUE = "certificate.issue"
    CERTIFICATE_REVOKED = "certificate.revoked"
    CERTIFICATE_REPLACED = "certificate.replaced"
    CERTIFICATE_LOOKUP = "certificate.lookup"
    # Decision content and certificate types (证照目录), authored by legal affairs.
    OUTCOME_DESIGN_SAVE = "outcome_design.save"
    OUTCOME_DESIGN_PUBLISH = "outcome_design.publish"
    # The power list's versions.
    POWER_LIST_CREATE_DRAFT = "power_list.create_draft"
    POWER_LIST_IMPORT = "power_list.import"
    POWER_LIST_ITEM_ADD = "power_list.item.add"
    POWER_LIST_ITEM_UPDATE = "power_list.item.update"
    POWER_LIST_ITEM_REVOKE = "power_list.item.revoke"
    POWER_LIST_DISCARD = "power_list.discard"
    POWER_LIST_SUBMIT = "power_list.submit"
    POWER_LIST_REJECT = "power_list.reject"
    POWER_LIST_PUBLISH = "power_list.publish"
    POWER_LIST_SUPERSEDE = "power_list.supersede"
    POWER_LIST_GUIDE_IMPORT = "power_list.guide.import"
    POWER_LIST_GUIDE_UPDATE = "power_list.guide.update"
    FORM_SAVE_DRAFT = "form.save_draft"
    FORM_PUBLISH = "form.publish"
    FORM_DISCARD = "form.discard"
    OFFICE_IMPORT = "office.import"
    OFFICE_CREATE_FROM_LIST = "office.create_from_list"
    OFFICE_CREATE = "office.create"
    OFFICE_UPDATE = "office.update"
    SERVICE_WINDOW_SAVE = "service_window.save"
    # Administration.
    USER_CREATE = "user.create"
    USER_ACTIVATE = "user.activate"
    USER_DEACTIVATE = "user.deactivate"
    USER_RESET_PASSWORD = "user.reset_password"
    USER_RESET_PASSWORD_BY_SMS = "user.reset_password_by_sms"
    USER_UNLOCK = "user.unlock"
    USER_SECOND_FACTOR_ENABLE = "user.second_factor.enable"
    USER_SECOND_FACTOR_DISABLE = "user.second_factor.disable"
    CALENDAR_ENTER = "calendar.enter"
    CALENDAR_REMOVE = "calendar.remove"
    SEARCH_ALIAS_ADD = "search.alias_add"
    SEARCH_ALIAS_REMOVE = "search.alias_remove"
    # Keeping people informed.
    MESSAGE_POST = "message.post"
    NOTICE_OPEN = "notice.open"
    NOTICE_DEEMED = "notice.deemed"  # 电子送达: unopened past the deployment's period, deemed delivered
    NOTIFICATION_RETRY = "notification.retry"
    WEBHOOK_SUBSCRIBE = "webhook.subscribe"
    WEBHOOK_PAUSE = "webhook.pause"
    WEBHOOK_RESUME = "webhook.resume"
    WEBHOOK_TEST = "webhook.test"
    NOTIFICATION_TEMPLATE_SAVE = "notification_template.save"
    NOTIFICATION_TEMPLATE_RESET = "notification_template.reset"
    USER_IMPORT_CREATED = "user.import.created"
    USER_IMPORT_UPDATED = "user.import.updated"
    JURISDICTIONS_IMPORT = "jurisdictions.import"
    # 一件事 (docs/bundles.md).
    BUNDLE_SAVE_DRAFT = "bundle.save_draft"
    BUNDLE_PUBLISH = "bundle.publish"
    BUNDLE_DISCARD = "bundle.discard"
    BUNDLE_CASE_SUBMIT = "bundle_case.submit"
    BUNDLE_CASE_REQUEST_CORRECTION = "bundle_case.request_correction"
    BUNDLE_CASE_RESUBMIT = "bundle_case.resubmit"
    BUNDLE_CASE_WITHDRAW = "bundle_case.withdraw"
    BUNDLE_CASE_DELIVER = "bundle_case.deliver"
    BUNDLE_CASE_PREREQUISITE = "bundle_case.prerequisite"  # an item's result started or ended the items after it
    OPINION_ASK = "opinion.ask"  # 征求意见
    OPINION_ANSWER = "opinion.answer"
    OPINION_REMIND = "opinion.remind"
    MATERIAL_REUSE = "material.reuse"  # 免提交: a certificate or an accepted material instead of an upload

    @property
    def label(self) -> str:
        """The action as staff read it in a case's history and in the audit log."""
        return _LABELS[self]


_LABELS = {
    AuditAction.CASE_SUBMIT: "提交申请",
    AuditAction.CASE_RESUBMIT: "提交补正材料",
    AuditAction.CASE_ACCEPT: "受理",
    AuditAction.CASE_ACCEPT_WITH_PLEDGE: "容缺受理",
    AuditAction.CASE_REQUEST_CORRECTION: "一次性告知补正",
    AuditAction.CASE_REFUSE: "不予受理",
    AuditAction.CASE_DEEM_ACCEPT: "逾期自动受理",
    AuditAction.CASE_WITHDRAW: "撤回申请",
    AuditAction.CASE_SIGN_PLEDGE: "签署告知承诺书",
    AuditAction.CASE_APPROVE_ON_PLEDGE: "告知承诺当场准予许可",
    AuditAction.CASE_START_SPECIAL: "启动特别程序",
    AuditAction.CASE_END_SPECIAL: "特别程序结束",
    AuditAction.CASE_RECORD_OPINION: "提出审查意见",
    AuditAction.CASE_COMPLETE_REVIEW: "审查完毕",
    AuditAction.CASE_EXTEND: "延长办理期限",
    AuditAction.CASE_APPROVE: "准予许可",
    AuditAction.CASE_DENY: "不予许可",
    AuditAction.CASE_DELIVER: "送达",
    AuditAction.CASE_PASS_CHECK: "事后核查属实",
    AuditAction.CASE_NOTIFY_REVOCATION: "拟撤销告知",
    AuditAction.CASE_SUBMIT_STATEMENT: "提出陈述申辩",
    AuditAction.CASE_NOTIFY_PARTY: "通知对方当事人答辩",
    AuditAction.CASE_RECORD_ANSWER: "记录对方当事人答辩",
    AuditAction.CASE_AWAIT_PREREQUISITE: "提交申请（待前置事项办结）",
    AuditAction.CASE_START_AFTER_PREREQUISITE: "前置事项办结，开始办理",
    AuditAction.CASE_TERMINATE: "终止办理",
    AuditAction.CASE_REVOKE: "撤销",
    AuditAction.CASE_REFUSED_ATTEMPT: "被拒绝的操作",
    AuditAction.CASE_SUPPLY_DEFERRED: "补交容缺材料",
    AuditAction.ACCOUNTABILITY_RAISE: "触发追责情形",
    AuditAction.ACCOUNTABILITY_RESOLVE: "追责情形已处理",
    AuditAction.RATING_CREATE: "申请人评价",
    AuditAction.RECTIFICATION_CALLBACK: "整改回访",
    AuditAction.RECTIFICATION_VERIFY: "核实整改",
    AuditAction.RECTIFICATION_RETURN: "整改退回重办",
    AuditAction.RATING_REVISE: "整改后再次评价",
    AuditAction.RATING_APPEAL: "差评申诉",
    AuditAction.RATING_APPEAL_DECIDE: "差评申诉复核",
    AuditAction.VISIT_RECORD: "来访登记",
    AuditAction.CERTIFICATE_ISSUE: "颁发证照",
    AuditAction.CERTIFICATE_REVOKED: "证照撤销",
    AuditAction.CERTIFICATE_REPLACED: "证照换发",
    AuditAction.CERTIFICATE_LOOKUP: "证照核验查询",
    AuditAction.OUTCOME_DESIGN_SAVE: "保存决定内容或证照类型草稿",
    AuditAction.OUTCOME_DESIGN_PUBLISH: "发布决定内容或证照类型",
    AuditAction.POWER_LIST_CREATE_DRAFT: "新建清单草稿",
    AuditAction.POWER_LIST_IMPORT: "导入清单",
    AuditAction.POWER_LIST_ITEM_ADD: "新增事项",
    AuditAction.POWER_LIST_ITEM_UPDATE: "修改事项",
    AuditAction.POWER_LIST_ITEM_REVOKE: "取消事项",
    AuditAction.POWER_LIST_DISCARD: "废弃草稿",
    AuditAction.POWER_LIST_SUBMIT: "提交法制审核",
    AuditAction.POWER_LIST_REJECT: "退回修改",
    AuditAction.POWER_LIST_PUBLISH: "审核通过并发布",
    AuditAction.POWER_LIST_SUPERSEDE: "被新版本替代",
    AuditAction.POWER_LIST_GUIDE_IMPORT: "导入办事指南",
    AuditAction.POWER_LIST_GUIDE_UPDATE: "修改办事指南",
    AuditAction.FORM_SAVE_DRAFT: "保存申请表单草稿",
    AuditAction.FORM_PUBLISH: "发布申请表单",
    AuditAction.FORM_DISCARD: "放弃申请表单草稿",
    AuditAction.OFFICE_IMPORT: "导入部门",
    AuditAction.OFFICE_CREATE_FROM_LIST: "按清单新建部门",
    AuditAction.OFFICE_CREATE: "新建部门",
    AuditAction.OFFICE_UPDATE: "修改部门",
    AuditAction.SERVICE_WINDOW_SAVE: "登记便民服务窗口",
    AuditAction.USER_CREATE: "新建账号",
    AuditAction.USER_ACTIVATE: "启用账号",
    AuditAction.USER_DEACTIVATE: "停用账号",
    AuditAction.USER_RESET_PASSWORD: "重置密码",
    AuditAction.USER_RESET_PASSWORD_BY_SMS: "凭短信验证码重置密码",
    AuditAction.USER_UNLOCK: "解除登录限制",
    AuditAction.USER_SECOND_FACTOR_ENABLE: "启用动态验证码",
    AuditAction.USER_SECOND_FACTOR_DISABLE: "停用动态验证码",
    AuditAction.CALENDAR_ENTER: "登记节假日或调休",
    AuditAction.CALENDAR_REMOVE: "删除节假日或调休",
    AuditAction.SEARCH_ALIAS_ADD: "添加常用说法",
    AuditAction.SEARCH_ALIAS_REMOVE: "删除常用说法",
    AuditAction.MESSAGE_POST: "办件留言",
    AuditAction.NOTICE_OPEN: "申请人查阅文书（电子送达）",
    AuditAction.NOTIFICATION_RETRY: "重新发送通知",
    AuditAction.WEBHOOK_SUBSCRIBE: "订阅事件推送",
    AuditAction.WEBHOOK_PAUSE: "暂停事件推送",
    AuditAction.WEBHOOK_RESUME: "恢复事件推送",
    AuditAction.WEBHOOK_TEST: "发送测试事件",
    AuditAction.NOTICE_DEEMED: "文书期满视为送达",
    AuditAction.NOTIFICATION_TEMPLATE_SAVE: "修改消息模板",
    AuditAction.NOTIFICATION_TEMPLATE_RESET: "恢复默认消息模板",
    AuditAction.USER_IMPORT_CREATED: "导入工作人员（新建账号）",
    AuditAction.USER_IMPORT_UPDATED: "导入工作人员（更新账号）",
    AuditAction.JURISDICTIONS_IMPORT: "导入行政区划",
    AuditAction.BUNDLE_SAVE_DRAFT: "保存一件事草稿",
    AuditAction.BUNDLE_PUBLISH: "审核发布一件事",
    AuditAction.BUNDLE_DISCARD: "废弃一件事草稿",
    AuditAction.BUNDLE_CASE_SUBMIT: "提交一件事申请",
    AuditAction.BUNDLE_CASE_REQUEST_CORRECTION: "一件事一次性告知补正",
    AuditAction.BUNDLE_CASE_RESUBMIT: "一件事提交补正材料",
    AuditAction.BUNDLE_CASE_WITHDRAW: "撤回一件事申请",
    AuditAction.BUNDLE_CASE_DELIVER: "一件事统一出件",
    AuditAction.BUNDLE_CASE_PREREQUISITE: "前置事项办结，后续事项开始办理或终止办理",
    AuditAction.OPINION_ASK: "征求意见",
    AuditAction.OPINION_ANSWER: "答复征求意见",
    AuditAction.OPINION_REMIND: "征求意见临期提醒",
    AuditAction.MATERIAL_REUSE: "复用电子证照或已受理材料（免提交）",
}


def label_of(action: str) -> str:
    """The Chinese label of a stored action name; a name this version does not know reads as itself.

    Never raises.
    """
    try:
        return AuditAction(action).label
    except ValueError:
        return action
