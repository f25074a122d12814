"""``flask --app wsgi forms …``: move an item's application form between deployments as JSON.

The file is the shape the API gives: ``{"item_code": …, "version": …, "definition": {…}}``.
``forms import`` publishes the definition as the item's next version (applications already submitted
keep the version they were made with); ``forms export`` writes the version in force.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from forms.models import current_form_definition, publish_form_definition
from service_hall.core.base import utcnow
from service_hall.core.errors import DomainError
from service_hall.extensions import current_session, db

forms_cli = AppGroup("forms", help="事项申请表单（JSON 导入导出）")


def _fail(message: str, details: object = None) -> None:
    db.session.rollback()
    click.echo(f"错误：{message}", err=True)
    if isinstance(details, dict):
        for key, msg in details.items():
            click.echo(f"  {key}: {msg}", err=True)
    sys.exit(1)


@forms_cli.command("export")
@click.argument("item_code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="写入文件")
def forms_export(item_code: str, output: Path | None) -> None:
    """导出事项现行的申请表单"""
    version = current_form_definition(current_session(), item_code, utcnow())
    if version is None:
        _fail(f"事项 {item_code} 没有已发布的申请表单")
        return
    text = json.dumps({"item_code": item_code, "version": version.version, "definition": version.definition},
                      ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已导出 {item_code} 的申请表单（第{version.version}版）到 {output}")


@forms_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def forms_import(files: tuple[Path, ...]) -> None:
    """导入申请表单并发布（每个文件一个事项；全部校验通过才写入）"""
    session = current_session()
    done = []
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
            version = publish_form_definition(session, data["item_code"], data["definition"], utcnow())
        except DomainError as exc:
            _fail(f"{file.name}：{exc.message}", exc.details)
            return
        done.append((data["item_code"], version.version))
    session.commit()
    for code, number in done:
        click.echo(f"已发布 {code} 的申请表单（第{number}版）")
