"""``flask --app wsgi offices …``: the county departments (部门) whose names and seals go on 委托 and
窗口前移 documents, and the towns' service windows."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from power_lists.errors import ImportRejected
from power_lists.files import detect_format, read_csv_table, read_xlsx_tables
from power_lists.versions import county_for
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError, ValidationFailed
from service_hall.extensions import current_session, db
from service_hall.jurisdictions.operations import by_code
from service_hall.offices.operations import import_offices, offices_of, save_window

offices_cli = AppGroup("offices", help="县级部门（原实施部门、委托机关）与乡镇便民服务窗口")


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    click.echo(f"错误：{exc.message}", err=True)
    if isinstance(exc, ImportRejected):
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    elif isinstance(exc.details, list):
        for problem in exc.details:
            where = (f"第{problem['row']}行" if problem.get("row") else "") + (
                f"“{problem['column']}”列" if problem.get("column") else "")
            click.echo(f"  {where}{'：' if where else ''}{problem['message']}", err=True)
    elif isinstance(exc.details, dict):
        for key, msg in exc.details.items():
            click.echo(f"  {key}: {msg}", err=True)
    sys.exit(1)


@offices_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
def import_command(file: Path, county_code: str | None) -> None:
    """导入部门表（CSV 或 XLSX：名称、简称、统一社会信用代码、印章文字）；已有的同名部门被更新"""
    now = utcnow()
    try:
        county = county_for(current_session(), None, county_code)
        data = file.read_bytes()
        kind = detect_format(file.name, data)
        if kind == "json":
            raise ValidationFailed("部门表应为 CSV 或 XLSX 文件")
        table = read_csv_table(data)[0] if kind == "csv" else read_xlsx_tables(data)[0]
        created, updated = import_offices(current_session(), county, table.rows, actor=None, now=now)
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已导入部门：新建 {len(created)} 个，更新 {len(updated)} 个")
    for office in created:
        click.echo(f"+ {office.name}（简称：{office.short_name}）")


@offices_cli.command("list")
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
def list_command(county_code: str | None) -> None:
    """列出本县部门；尚无统一社会信用代码的（由清单自动创建）标注“待补充”"""
    try:
        county = county_for(current_session(), None, county_code)
    except DomainError as exc:
        _fail(exc)
        return
    for office in offices_of(current_session(), county):
        state = office.credit_code or "统一社会信用代码待补充"
        click.echo(f"{office.name}\t{office.short_name}\t{state}\t{office.seal_text}")


@offices_cli.command("window")
@click.argument("town_code")
@click.argument("address")
@click.option("--phone", default="", help="咨询电话")
@click.option("--hours", default="", help="办公时间")
def window_command(town_code: str, address: str, phone: str, hours: str) -> None:
    """登记乡镇（街道）便民服务中心窗口的地址（未开通网上申请的事项请申请人到此办理）"""
    try:
        town = by_code(current_session(), town_code)
        save_window(current_session(), town, {"address": address, "phone": phone, "hours": hours}, actor=None,
                    now=utcnow())
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已登记{town.name}便民服务窗口：{address}")
