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
    """重置密码：生成临时密码（只显示一次），下次登录时须修改，并解除锁定"""
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
    """启用账号并解除锁定"""
    try:
        user = enable(current_session(), username, actor=None, now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已启用账号 {user.username}，并解除登录锁定")


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
def audit_verify() -> None:
    """校验审计日志哈希链，发现被篡改或删除的记录"""
    problems = verify_chain(current_session())
    if not problems:
        from service_hall.audit.models import AuditChainHead

        head = db.session.get(AuditChainHead, 1)
        click.echo(f"审计日志完整：共 {head.seq if head else 0} 条记录，哈希链校验通过。")
        return
    for p in problems:
        click.echo(f"第 {p.seq} 条：{p.problem}", err=True)
    click.echo(f"审计日志校验失败：发现 {len(problems)} 处问题。", err=True)
    sys.exit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(jobs_cli)
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
