"""Command line: ``flask --app wsgi <group> <command>``. Each command calls the same domain
functions as the pages and the API, and commits once at the end."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from service_hall.accounts.operations import create_staff, enable, reset_password
from service_hall.accounts.permissions import Role
from service_hall.audit.trail import verify_chain
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError
from service_hall.extensions import current_session, db

users_cli = AppGroup("users", help="账号管理")
demo_cli = AppGroup("demo", help="演示数据")
audit_cli = AppGroup("audit", help="审计日志")


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    click.echo(f"错误：{exc.message}", err=True)
    if isinstance(exc.details, dict):
        for key, msg in exc.details.items():
            click.echo(f"  {key}: {msg}", err=True)
    elif isinstance(exc.details, list):
        for item in exc.details:
            click.echo(f"  {item}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "real_name", required=True, help="姓名")
@click.option("--role", type=click.Choice([r.value for r in Role if r is not Role.APPLICANT]), required=True)
@click.option("--jurisdiction", "jurisdiction_code", required=True, help="12位区划代码")
@click.option("--mobile", default=None)
@click.password_option(help="密码（至少8位，含字母和数字）")
def users_create(username: str, real_name: str, role: str, jurisdiction_code: str, mobile: str | None,
                 password: str) -> None:
    """创建工作人员账号"""
    try:
        user = create_staff(current_session(), {"username": username, "real_name": real_name, "role": role,
                                                "jurisdiction_code": jurisdiction_code, "mobile": mobile or "",
                                                "password": password}, now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    place = user.jurisdiction.name if user.jurisdiction else jurisdiction_code  # staff always have one
    click.echo(f"已创建账号 {user.username}（{user.role.label}，{place}）")


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """重置密码：生成临时密码（只显示一次），下次登录时须修改，并解除登录限制"""
    try:
        password = reset_password(current_session(), username, actor=None, now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已重置 {username} 的密码。临时密码（只显示这一次）：{password}")
    click.echo("该账号下次登录时须设置新密码。")


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """启用账号并解除登录限制"""
    try:
        user = enable(current_session(), username, actor=None, now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已启用账号 {user.username}，并解除登录限制")


@demo_cli.command("load")
def demo_load() -> None:
    """载入演示区划、账号、权力清单与表单（可重复执行）"""
    from service_hall.demo import load_demo

    created = load_demo(current_session(), now=utcnow())
    db.session.commit()
    from service_hall.cli_certificates import ensure_signing_identity

    ensure_signing_identity()  # the deployment's signing key for certificates and notices (files 0600)
    if not created:
        click.echo("演示数据已存在，未重复创建账号。")
        return
    from sqlalchemy import select

    from service_hall.accounts.models import User

    lines = [f"{'username':<14} {'password':<14} role"]
    for username, password in created.items():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        place = f"（{user.jurisdiction.name}）" if user.jurisdiction else ""
        lines.append(f"{username:<14} {password:<14} {user.role.label}{place}")
    text = "\n".join(lines)
    click.echo("演示账号（密码仅显示这一次，另存于实例目录 demo-accounts.txt）：")
    click.echo(text)
    path = Path(current_app.instance_path) / "demo-accounts.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(text + "\n")


@audit_cli.command("verify")
@click.option("--document", "documents", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="签章文书 PDF（可多次指定）：核对其中记录的审计链锚点")
def audit_verify(documents: tuple[Path, ...]) -> None:
    """校验审计日志哈希链，发现被篡改或删除的记录（并核对检查点与签章文书中的锚点）"""
    from service_hall.audit.trail import parse_anchor, read_checkpoints
    from service_hall.documents.signing import signature_reason

    checkpoints = read_checkpoints(current_app.config["AUDIT_CHECKPOINT_PATH"])
    anchors = []
    for document in documents:
        found = parse_anchor(signature_reason(document.read_bytes()))
        if found is None:
            click.echo(f"{document.name}：文书签章中没有审计链锚点，未核对", err=True)
        else:
            anchors.append((document.name, found))
    problems = verify_chain(current_session(), checkpoints, anchors)
    if not problems:
        from service_hall.audit.models import AuditChainHead

        head = db.session.get(AuditChainHead, 1)
        checked = f"核对检查点 {len(checkpoints)} 个" + (f"、签章文书 {len(anchors)} 份" if anchors else "")
        click.echo(f"审计日志完整：共 {head.seq if head else 0} 条记录，哈希链校验通过（{checked}）。")
        return
    for p in problems:
        click.echo(f"第 {p.seq} 条：{p.problem}", err=True)
    click.echo(f"审计日志校验失败：发现 {len(problems)} 处问题。", err=True)
    sys.exit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """把审计日志链尾写入签名的检查点文件（每日运行，文件保存在数据库之外）"""
    from service_hall.audit.trail import write_checkpoint
    from service_hall.core.base import utcnow

    path = write_checkpoint(current_session(), current_app.config["AUDIT_CHECKPOINT_PATH"], now=utcnow())
    click.echo(f"已写入审计检查点：{path}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    from service_hall.cli_backup import backup_cli
    from service_hall.cli_roles import grant_app_role_command  # noqa: F401 - adds ``db grant-app-role``

    app.cli.add_command(backup_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(stats_cli)
    from service_hall.cli_power_list import power_list_cli

    app.cli.add_command(power_list_cli)
    from service_hall.cli_certificates import certificates_cli

    app.cli.add_command(certificates_cli)
    from service_hall.cli_jurisdictions import jurisdictions_cli, users_import_command

    app.cli.add_command(jurisdictions_cli)
    users_import_command(users_cli)

    from service_hall.cli_forms import forms_cli
    from service_hall.cli_offices import offices_cli

    app.cli.add_command(forms_cli)

    app.cli.add_command(offices_cli)

    from service_hall.cli_notifications import notifications_cli

    app.cli.add_command(notifications_cli)

    from service_hall.cli_search import search_cli

    app.cli.add_command(search_cli)


cases_cli = AppGroup("cases", help="办件")


@cases_cli.command("sweep")
def cases_sweep() -> None:
    """逾期未受理的申请依法视为受理；超期办件触发预警与追责情形；新清单生效后旧版本标记为已替代（供定时任务每日执行）"""
    from service_hall.cases.sweep import run_sweep
    from service_hall.notifications.channels import configure_session

    configure_session(current_session(), current_app.config)  # reminders on the configured channels; 电子送达
    result = run_sweep(current_session(), now=utcnow())
    db.session.commit()
    for case in result.deemed:
        click.echo(f"{case.case_number}：逾期未作受理决定，依法自 {case.received_on} 起视为受理")
    click.echo(f"共 {len(result.deemed)} 件视为受理。")
    for trigger in result.triggers:
        click.echo(f"{trigger.application.case_number}：{trigger.severity.label} {trigger.situation}"
                   f"（{trigger.detail}）")
    click.echo(f"新发现预警及追责情形 {len(result.triggers)} 条。")
    for version in result.superseded:
        click.echo(f"清单第 {version.number} 版已被新版本取代")


stats_cli = AppGroup("stats", help="办件统计")


@stats_cli.command("rebuild")
def stats_rebuild() -> None:
    """按办件、来访、评价和追责情形重新计算每日统计表（批量导入数据后，或核对统计时执行）"""
    import time

    from service_hall.cases.figures import rebuild

    started = time.monotonic()
    rows = rebuild(current_session())
    db.session.commit()
    click.echo(f"每日统计已重建：共 {rows} 行（乡镇 × 事项 × 日期），用时 {time.monotonic() - started:.1f} 秒。")


jobs_cli = AppGroup("jobs", help="后台任务（Redis + RQ）")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def jobs_worker(burst: bool) -> None:
    """运行后台任务进程（需设置 REDIS_URL）"""
    from rq import SimpleWorker

    from service_hall.jobs import connection, queue

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        click.echo("错误：未设置 REDIS_URL，无需后台任务进程（任务在应用进程内执行）", err=True)
        sys.exit(1)
    # SimpleWorker runs jobs in this process, inside the app context the CLI already provides.
    SimpleWorker([queue(redis_url)], connection=connection(redis_url)).work(burst=burst)
