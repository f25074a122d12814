"""``flask notifications …``: deliver the outbox from cron when there is no RQ worker, and list dead letters."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from service_hall.extensions import db

notifications_cli = AppGroup("notifications", help="消息通知")


@notifications_cli.command("dispatch")
@click.option("--limit", default=1000, show_default=True, help="本次最多处理的消息条数")
def dispatch(limit: int) -> None:
    """发送到期的待发消息（含到期重试），供没有后台任务进程时由定时任务每分钟执行"""
    from service_hall.jobs import dispatch_outbox

    counts = dispatch_outbox(db.session, current_app.config, limit=limit)
    labels = {"sent": "已送达", "pending": "待重试", "dead": "发送失败", "skipped": "未发送"}
    summary = "，".join(f"{labels.get(k, k)} {v} 条" for k, v in sorted(counts.items())) or "没有到期的消息"
    click.echo(summary)


@notifications_cli.command("dead")
def dead() -> None:
    """列出发送失败（已停止重试）的消息及原因"""
    from service_hall.notifications.models import MessageStatus, OutboxMessage

    rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MessageStatus.DEAD)
                                   .order_by(OutboxMessage.id)))
    for m in rows:
        click.echo(f"#{m.id} {m.event.kind} {m.channel.label} {m.recipient}：{m.last_error}")
    click.echo(f"共 {len(rows)} 条发送失败的消息。")
