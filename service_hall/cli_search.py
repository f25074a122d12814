"""``flask --app wsgi search …``: the full-text index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service_hall.extensions import current_session
from service_hall.search.index import counts, rebuild

search_cli = AppGroup("search", help="事项搜索索引")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """按已发布的清单版本、现行一件事和常用说法重建搜索索引"""
    rebuild(current_session())
    current_session().commit()
    held = counts(current_session())
    click.echo(f"已重建搜索索引：{held.get('item', 0)} 个事项、{held.get('bundle', 0)} 个一件事")
