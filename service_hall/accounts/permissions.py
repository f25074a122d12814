"""Permissions are data: one enum, one role → permission map.

Every endpoint declares the permission it needs (``service_hall.web.access.requires``); a test
walks ``app.url_map`` and checks each role against each endpoint.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    APPLICANT = "applicant"  # 申请人
    CLERK = "clerk"  # 综合窗口受理人员
    REVIEWER = "reviewer"  # 审查人员
    DECIDER = "decider"  # 负责人
    LEGAL = "legal"  # 司法所 / 法制审核人员
    SUPERVISOR = "supervisor"  # 电子监察 / 政务服务管理办
    ADMIN = "admin"  # 系统管理员

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.APPLICANT


ROLE_LABELS = {
    Role.APPLICANT: "申请人",
    Role.CLERK: "综合窗口受理人员",
    Role.REVIEWER: "审查人员",
    Role.DECIDER: "负责人",
    Role.LEGAL: "法制审核人员",
    Role.SUPERVISOR: "监督人员",
    Role.ADMIN: "系统管理员",
}


class Permission(enum.StrEnum):
    """``area:resource:action``."""

    # Applicant portal
    APPLICATION_SUBMIT = "portal:application:submit"
    APPLICATION_READ_OWN = "portal:application:read"
    # Window and back office
    CASE_READ = "workbench:case:read"
    CASE_INTAKE = "workbench:case:intake"
    CASE_FILE_ON_BEHALF = "workbench:case:file_on_behalf"
    CASE_REVIEW = "workbench:case:review"
    CASE_DECIDE = "workbench:case:decide"
    CERTIFICATE_ISSUE = "workbench:certificate:issue"
    RECTIFICATION_CALLBACK = "workbench:rectification:callback"  # 差评整改回访
    # Power list maintenance
    POWER_LIST_READ = "legal:power_list:read"
    POWER_LIST_EDIT = "legal:power_list:edit"
    POWER_LIST_PUBLISH = "legal:power_list:publish"
    # Application forms (表单设计): draft, and publish another person's draft.
    FORM_DESIGN = "legal:form:design"
    # Supervision
    SUPERVISION_READ = "supervision:case:read"
    SUPERVISION_RESOLVE = "supervision:trigger:resolve"  # close a 追责情形 with a note
    # Administration
    USER_MANAGE = "admin:user:manage"
    CALENDAR_MANAGE = "admin:calendar:manage"
    JURISDICTION_MANAGE = "admin:jurisdiction:manage"  # import / export the county's 区划
    OFFICE_MANAGE = "admin:office:manage"  # 县级部门与乡镇便民服务窗口
    WEBHOOK_MANAGE = "admin:webhook:manage"  # subscribe county systems to events
    TEMPLATE_MANAGE = "admin:template:manage"  # edit the messages' templates


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.APPLICANT: frozenset({Permission.APPLICATION_SUBMIT, Permission.APPLICATION_READ_OWN}),
    Role.CLERK: frozenset({Permission.CASE_READ, Permission.CASE_INTAKE, Permission.CASE_FILE_ON_BEHALF,
                           Permission.CERTIFICATE_ISSUE, Permission.RECTIFICATION_CALLBACK}),
    Role.REVIEWER: frozenset({Permission.CASE_READ, Permission.CASE_REVIEW}),
    # The head (负责人 / 首席代表) may also take intake at the window: 即办件 and 告知承诺 items are accepted and
    # decided there in one visit; items that separate acceptance and decision refuse that (see transitions).
    Role.DECIDER: frozenset({Permission.CASE_READ, Permission.CASE_INTAKE, Permission.CASE_REVIEW,
                             Permission.CASE_DECIDE, Permission.CERTIFICATE_ISSUE, Permission.RECTIFICATION_CALLBACK}),
    Role.LEGAL: frozenset({Permission.POWER_LIST_READ, Permission.POWER_LIST_EDIT,
                           Permission.POWER_LIST_PUBLISH, Permission.FORM_DESIGN}),
    Role.SUPERVISOR: frozenset({Permission.CASE_READ, Permission.SUPERVISION_READ, Permission.SUPERVISION_RESOLVE,
                                Permission.POWER_LIST_READ}),
    Role.ADMIN: frozenset({Permission.USER_MANAGE, Permission.CALENDAR_MANAGE, Permission.POWER_LIST_READ,
                           Permission.JURISDICTION_MANAGE, Permission.OFFICE_MANAGE,
                           Permission.WEBHOOK_MANAGE, Permission.TEMPLATE_MANAGE}),
}


def role_has(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
