"""``flask --app wsgi forms …``: move an item's application form between deployments as JSON.

The file is the shape the API gives: ``{"item_code": …, "version": …, "definition": {…}}``.
``forms import`` stores each definition as the item's draft; with ``--as`` and ``--review-by`` (two
different legal-affairs accounts, like the power list) it publishes it as the item's next version
(applications already submitted keep the version they were made with). ``forms export`` writes the
form in force: the designed one, or the default generated from the guide (then ``"generated": true``).
All files are checked before anything is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from power_lists.form_design import publish_design, save_design
from power_lists.item_forms import form_in_force, latest_item
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError, NotFound, PermissionDenied
from service_hall.extensions import current_session, db

forms_cli = AppGroup("forms", help="事项申请表单（JSON 导入导出）")


def _fail(message: str, details: object = None) -> None:
    db.session.rollback()
    click.echo(f"错误：{message}", err=True)
    if isinstance(details, dict):
        for key, msg in details.items():
            click.echo(f"  {key}: {msg}", err=True)
    sys.exit(1)


def _designer(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"账号 {username} 不存在或已停用")
    if not user.can(Permission.FORM_DESIGN):
        raise PermissionDenied(f"账号 {username} 没有设计申请表单的权限")
    return user


@forms_cli.command("export")
@click.argument("item_code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="写入文件")
def forms_export(item_code: str, output: Path | None) -> None:
    """导出事项现行的申请表单（尚未设计时导出由办事指南生成的默认表单）"""
    session = current_session()
    try:
        form = form_in_force(session, latest_item(session, item_code), utcnow())
    except DomainError as exc:
        _fail(exc.message)
        return
    text = json.dumps(form.as_document(), ensure_ascii=False, indent=2)
    what = f"第{form.version_number}版" if form.version is not None else "由办事指南生成的默认表单"
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已导出 {item_code} 的申请表单（{what}）到 {output}")


@forms_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "drafter_name", default=None, help="起草表单的法制审核人员账号")
@click.option("--review-by", "publisher_name", default=None, help="审核并发布的另一名法制审核人员账号")
def forms_import(files: tuple[Path, ...], drafter_name: str | None, publisher_name: str | None) -> None:
    """导入申请表单为草稿；同时指定 --as 与 --review-by 时由后者发布（每个文件一个事项；全部校验通过才写入）"""
    if bool(drafter_name) != bool(publisher_name):
        raise click.UsageError("--as 与 --review-by 须同时使用")
    session = current_session()
    now = utcnow()
    done = []
    try:
        drafter = _designer(drafter_name) if drafter_name else None
        publisher = _designer(publisher_name) if publisher_name else None
    except DomainError as exc:
        _fail(exc.message)
        return
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            _fail(f"{file.name} 不是有效的 UTF-8 JSON 文件：{exc}")
            return
        if not isinstance(data, dict) or not isinstance(data.get("item_code"), str) \
                or not isinstance(data.get("definition"), dict):
            _fail(f"{file.name} 的格式应为 {{\"item_code\": …, \"definition\": {{…}}}}")
            return
        try:
            item = latest_item(session, data["item_code"])
            row = save_design(session, item, data["definition"], actor=drafter, now=now)
            if publisher is not None:
                row = publish_design(session, item, actor=publisher, now=now)
        except DomainError as exc:
            _fail(f"{file.name}：{exc.message}", exc.details)
            return
        done.append((data["item_code"], row.version, publisher is not None))
    session.commit()
    for code, number, published in done:
        if published:
            click.echo(f"已发布 {code} 的申请表单（第{number}版）")
        else:
            click.echo(f"已保存 {code} 的申请表单草稿（第{number}版），须由法制审核人员在表单设计页发布")
