"""``flask --app wsgi power-list …``: import, export and compare the power list.

The commands call the same domain functions as the pages and the API and commit once at the end; a
rejected file prints every problem with its row and column and exits with status 1.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from power_lists.diff import diff_versions
from power_lists.document import version_document
from power_lists.errors import ImportRejected
from power_lists.files import FORMATS, read_document, write_document
from power_lists.queries import latest_published, version_by_number
from power_lists.versions import (
    county_for,
    import_draft,
    offices_for_document,
    previous_items,
    publish,
    submit_for_review,
    supersede_due,
    town_directory,
)
from service_hall.accounts.models import User
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError, NotFound
from service_hall.extensions import current_session, db

power_list_cli = AppGroup("power-list", help="权力清单（赋权清单）导入、导出与比对")


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    click.echo(f"错误：{exc.message}", err=True)
    if isinstance(exc, ImportRejected):
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    elif isinstance(exc.details, dict):
        for key, msg in exc.details.items():
            click.echo(f"  {key}: {msg}", err=True)
    sys.exit(1)


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"账号 {username} 不存在或已停用")
    return user


@power_list_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
@click.option("--effective-from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="生效日期 YYYY-MM-DD（与 --publish-as/--review-by 一起使用时直接发布）")
@click.option("--publish-as", "publish_as", default=None, help="起草并提交审核的法制审核人员账号")
@click.option("--review-by", "review_by", default=None, help="审核并发布的另一名法制审核人员账号")
@click.option("--title", default="", help="版本标题")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）")
def import_command(file: Path, county_code: str | None, effective_from: dt.datetime | None, publish_as: str | None,
                   review_by: str | None, title: str, as_json: bool) -> None:
    """把 JSON、CSV 或 XLSX 清单导入为新草稿（可选：提交并由另一人审核发布）

    清单中没有的原实施部门会自动创建为部门记录（输出中列出，请管理员补充简称和统一社会信用代码）。
    """
    session = current_session()
    if bool(publish_as) != bool(review_by):
        raise click.UsageError("--publish-as 与 --review-by 须同时使用")
    if publish_as and effective_from is None:
        raise click.UsageError("直接发布时须指定 --effective-from")
    now = utcnow()
    try:
        drafter = _user(publish_as) if publish_as else None
        reviewer = _user(review_by) if review_by else None
        county = county_for(session, None, county_code)
        document = read_document(file.name, file.read_bytes(), town_directory(session, county),
                                 county_code=county.code, county_name=county.name,
                                 previous=previous_items(session, county))
        created = [o.name for o in offices_for_document(session, county, document, actor=drafter, now=now)]
        version = import_draft(session, county, document, actor=drafter, now=now, filename=file.name, title=title)
        if drafter is not None and reviewer is not None and effective_from is not None:
            submit_for_review(session, version, actor=drafter, now=now)
            publish(session, version, effective_from.date(), actor=reviewer, now=now)
    except DomainError as exc:
        if as_json:
            db.session.rollback()
            click.echo(json.dumps({"version": None, "items": 0, "created_offices": [], "errors": _errors(exc)},
                                  ensure_ascii=False))
            sys.exit(1)
        _fail(exc)
        return
    session.commit()
    if as_json:
        click.echo(json.dumps({"version": version.number, "items": len(document["items"]),
                               "created_offices": created, "errors": []}, ensure_ascii=False))
        return
    state = f"已发布，{version.effective_from.isoformat()} 起生效" if version.effective_from else "草稿"
    click.echo(f"已导入 {len(document['items'])} 个事项：{version.label}（{state}）")
    if created:
        click.echo(f"已根据“原实施部门”新建 {len(created)} 个部门（请管理员补充简称、统一社会信用代码和印章文字）：")
        for name in created:
            click.echo(f"+ {name}")


def _errors(exc: DomainError) -> list[dict[str, object]]:
    if isinstance(exc, ImportRejected):
        return [p.as_dict() for p in exc.problems]
    if isinstance(exc.details, dict):
        return [{"row": None, "column": key, "message": str(msg)} for key, msg in exc.details.items()]
    return [{"row": None, "column": None, "message": exc.message}]


@power_list_cli.command("import-guide")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）")
def import_guide_command(file: Path, county_code: str | None, as_json: bool) -> None:
    """导入办事指南表（每行一项申请材料，按事项编码或事项名称+子项对应），写入清单草稿（没有草稿时新建）"""
    from power_lists.guides import import_guide, read_guide_sheet

    try:
        county = county_for(current_session(), None, county_code)
        entries = read_guide_sheet(file.name, file.read_bytes())
        result = import_guide(current_session(), county, entries, actor=None, now=utcnow(), filename=file.name)
    except DomainError as exc:
        if as_json:
            db.session.rollback()
            click.echo(json.dumps({"version": None, "changed": [], "errors": _errors(exc)}, ensure_ascii=False))
            sys.exit(1)
        _fail(exc)
        return
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"version": result.version.number, "changed": result.changed, "errors": []},
                              ensure_ascii=False))
        return
    click.echo(f"已写入{result.version.label}（草稿）：{len(result.changed)} 个事项的办事指南有变更，"
               f"{len(result.unchanged)} 个无变化；请提交法制审核并发布后生效")


@power_list_cli.command("publish")
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
@click.option("--as", "submit_as", required=True, help="提交审核的法制审核人员账号")
@click.option("--review-by", "review_by", required=True, help="审核并发布的另一名法制审核人员账号")
@click.option("--effective-from", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="生效日期 YYYY-MM-DD")
def publish_command(county_code: str | None, submit_as: str, review_by: str, effective_from: dt.datetime) -> None:
    """提交本县的清单草稿并由另一名法制审核人员审核发布（如导入清单和办事指南表之后）"""
    from power_lists.queries import open_version

    now = utcnow()
    try:
        county = county_for(current_session(), None, county_code)
        version = open_version(current_session(), county.id)
        if version is None:
            raise NotFound("本县没有待发布的清单草稿")
        drafter, reviewer = _user(submit_as), _user(review_by)
        if version.status.value == "draft":
            submit_for_review(current_session(), version, actor=drafter, now=now)
        publish(current_session(), version, effective_from.date(), actor=reviewer, now=now)
    except DomainError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"已发布{version.label}（{len(version.items)} 个事项），{version.effective_from} 起生效")


@power_list_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--version", "number", type=int, default=None, help="版本号（默认：最新发布的版本）")
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件（默认输出到标准输出）")
def export_command(fmt: str, number: int | None, county_code: str | None, output: Path | None) -> None:
    """导出清单为 JSON、CSV 或 XLSX"""
    session = current_session()
    try:
        county = county_for(session, None, county_code)
        version = (version_by_number(session, county.id, number) if number is not None
                   else latest_published(session, county.id))
        if version is None:
            raise NotFound("尚无已发布的清单版本")
    except DomainError as exc:
        _fail(exc)
        return
    data = write_document(version_document(version), fmt)  # type: ignore[arg-type]
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("XLSX 是二进制文件，请用 -o 指定输出文件")
        click.echo(data, nl=False)
        return
    output.write_bytes(data)
    click.echo(f"已导出{version.label}（{len(version.items)} 个事项）到 {output}", err=True)


@power_list_cli.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
def diff_command(old: int, new: int, county_code: str | None) -> None:
    """比较两个版本：新增、取消和逐字段的变更"""
    session = current_session()
    try:
        county = county_for(session, None, county_code)
        diff = diff_versions(session, version_by_number(session, county.id, old),
                             version_by_number(session, county.id, new))
    except DomainError as exc:
        _fail(exc)
        return
    click.echo(f"{diff.old_label} → {diff.new_label}：新增 {len(diff.added)} 项，取消 {len(diff.revoked)} 项，"
               f"变更 {len(diff.changed)} 项")
    for item in diff.added:
        click.echo(f"+ 新增 {item.code} {item.name}（{item.power_type}；{'、'.join(item.towns)}）")
    for item in diff.revoked:
        click.echo(f"- 取消 {item.code} {item.name}" + (f"（理由：{item.reason}）" if item.reason else ""))
    for change in diff.changed:
        click.echo(f"~ 变更 {change.code} {change.name}")
        for f in change.changes:
            click.echo(f"    {f.label}：{f.old.replace(chr(10), '；')} → {f.new.replace(chr(10), '；')}")



@power_list_cli.command("supersede")
@click.option("--county", "county_code", default=None, help="县级区划代码（只有一个县时可省略）")
def supersede_command(county_code: str | None) -> None:
    """把已被新版本取代（新版本已生效）的旧版本标记为“已替代”（供定时任务每日执行）"""
    session = current_session()
    try:
        county = county_for(session, None, county_code)
    except DomainError as exc:
        _fail(exc)
        return
    done = supersede_due(session, county.id, now=utcnow())
    session.commit()
    for version in done:
        click.echo(f"{version.label}已被新版本替代")
    click.echo(f"共 {len(done)} 个版本标记为已替代。")
