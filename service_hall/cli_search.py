"""``flask --app wsgi search …``: the full-text index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service_hall.extensions import current_session
from service_hall.search.index import rebuild

search_cli = AppGroup("search", help="事项搜索索引")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """按已发布的清单版本和常用说法重建搜索索引"""
    count = rebuild(current_session())
    current_session().commit()
    click.echo(f"已重建搜索索引：{count} 个事项")
