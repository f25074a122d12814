"""Command line for going live: ``jurisdictions import|export`` and ``users import``.

Each command calls the same domain functions as the administration pages and commits once at the end;
a rejected file exits with status 1 and changes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from power_lists.errors import ImportRejected
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError
from service_hall.extensions import current_session, db

jurisdictions_cli = AppGroup("jurisdictions", help="行政区划（县、乡镇街道、村社区）")

CHANGE_LABELS = {"added": "新增", "renamed": "更名", "retyped": "类型变更", "moved": "改变隶属", "closed": "撤销",
                 "reopened": "恢复", "unchanged": "未变"}
LISTED = 50  # change lines printed; --json has them all
ACCOUNT_LABELS = {"created": "新建", "updated": "更新", "unchanged": "未变"}


def _reject(exc: DomainError, as_json: bool) -> None:
    db.session.rollback()
    problems = getattr(exc, "problems", None)
    if as_json:
        errors = ([p.as_dict() for p in problems] if problems is not None
                  else [{"row": None, "column": None, "message": exc.message}])
        click.echo(json.dumps({"errors": errors, "message": exc.message}, ensure_ascii=False))
    else:
        click.echo(f"错误：{exc.message}", err=True)
        for problem in problems or []:
            click.echo(f"  {problem}", err=True)
    sys.exit(1)


def _read(path: str) -> tuple[str, bytes]:
    file = Path(path)
    try:
        return file.name, file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {path}：{exc.strerror}") from None


@jurisdictions_cli.command("import")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）")
@click.option("--dry-run", is_flag=True, help="只检查并显示将发生的变化，不写入")
def jurisdictions_import(file: str, as_json: bool, dry_run: bool) -> None:
    """导入区划文件（CSV 或 XLSX：区划代码、名称、上级区划代码，可选类型、撤销日期、撤销说明）"""
    from service_hall.jurisdictions.imports import import_jurisdictions, preview_import

    name, data = _read(file)
    try:
        if dry_run:
            plan = preview_import(current_session(), name, data, now=utcnow())
        else:
            plan = import_jurisdictions(current_session(), name, data, now=utcnow())
    except (ImportRejected, DomainError) as exc:
        _reject(exc, as_json)
        return
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps({**plan.as_dict(), "dry_run": dry_run}, ensure_ascii=False))
        return
    counts = plan.counts
    click.echo(f"{'预检' if dry_run else '已导入'}{plan.county_name}（{plan.county_code}）的区划："
               + "，".join(f"{CHANGE_LABELS[k]} {v}" for k, v in counts.items() if v or k in {"added", "unchanged"}))
    for change in plan.changes[:LISTED]:
        what = "、".join(CHANGE_LABELS[c] for c in change.changes)
        extra = f"（原名 {change.old_name}）" if "renamed" in change.changes else ""
        if "closed" in change.changes:
            extra += f"（{change.closed_on} 撤销{('：' + change.closed_note) if change.closed_note else ''}）"
        click.echo(f"  {what}：{change.code} {change.name}{extra}")
    if len(plan.changes) > LISTED:
        click.echo(f"  ……另有 {len(plan.changes) - LISTED} 处变化（加 --json 查看全部）")
    for warning in plan.warnings:
        click.echo(f"注意：{warning}")


@jurisdictions_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", default=None, help="输出文件（默认输出到屏幕，仅限 CSV）")
@click.option("--county", "county_code", default=None, help="县级区划代码（系统中有多个县时必填）")
@click.option("--encoding", type=click.Choice(["utf-8-sig", "gb18030"]), default="utf-8-sig", show_default=True,
              help="CSV 编码")
def jurisdictions_export(fmt: str, output: str | None, county_code: str | None, encoding: str) -> None:
    """导出区划文件（格式与导入相同，可直接再导入）"""
    from service_hall.jurisdictions.imports import export_jurisdictions

    try:
        content = export_jurisdictions(current_session(), fmt, county_code=county_code, encoding=encoding)
    except DomainError as exc:
        _reject(exc, False)
        return
    if output:
        Path(output).write_bytes(content)
        click.echo(f"已导出到 {output}", err=True)
    elif fmt == "xlsx":
        raise click.UsageError("XLSX 须用 -o 指定输出文件")
    else:
        sys.stdout.buffer.write(content)


def users_import_command(users_cli: Any) -> None:
    """Attach ``users import`` to the existing ``users`` group."""

    @users_cli.command("import")
    @click.argument("file")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（含初始密码，供脚本使用）")
    @click.option("--dry-run", is_flag=True, help="只检查并显示将发生的变化，不写入")
    def users_import(file: str, as_json: bool, dry_run: bool) -> None:
        """导入工作人员名单（CSV 或 XLSX：姓名、手机号、角色、所属乡镇/部门，可选用户名）"""
        from service_hall.accounts.imports import StaffImportResult, import_staff, preview_staff_import

        name, data = _read(file)
        try:
            if dry_run:
                result = StaffImportResult(preview_staff_import(current_session(), name, data, now=utcnow()))
            else:
                result = import_staff(current_session(), name, data, now=utcnow())
        except (ImportRejected, DomainError) as exc:
            _reject(exc, as_json)
            return
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        if as_json:
            click.echo(json.dumps({**result.as_dict(), "dry_run": dry_run}, ensure_ascii=False))
            return
        counts = result.plan.counts
        click.echo(f"{'预检' if dry_run else '已导入'}工作人员账号："
                   + "，".join(f"{ACCOUNT_LABELS[k]} {v}" for k, v in counts.items()))
        for entry in result.plan.entries:
            if entry.action == "unchanged":
                continue
            password = result.passwords.get(entry.username)
            shown = f"  初始密码 {password}" if password else ""
            click.echo(f"  {ACCOUNT_LABELS[entry.action]}：{entry.username:<12} {entry.real_name}"
                       f"（{entry.roles_label}，{entry.jurisdiction_name}）{shown}")
        if result.passwords:
            click.echo("初始密码仅显示这一次，请当面或通过安全渠道交给本人；首次登录须修改密码。")
