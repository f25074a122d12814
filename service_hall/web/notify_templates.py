"""Message templates for administrators (docs/notifications.md, "Templates"): the list of every event's
templates per channel, an editor with a preview on sample values, save and reset to the built-in text."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from service_hall.accounts.permissions import Permission
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.notifications import templates as tpl
from service_hall.notifications.models import ChannelName
from service_hall.web.access import current_actor, now, requires

bp = Blueprint("notification_templates", __name__)


def _channel(name: str) -> ChannelName:
    try:
        return ChannelName(name)
    except ValueError:
        raise NotFound("该消息没有此发送渠道的模板") from None


@bp.get("/")
@requires(Permission.TEMPLATE_MANAGE)
def index() -> Any:
    rows = [(key, tpl.KEY_LABELS.get(key, key), tpl.channels_of(key)) for key in tpl.TEMPLATES]
    return render_template("notifications/templates.html", rows=rows, changed=tpl.customised(db.session))


@bp.route("/<key>/<channel>", methods=["GET", "POST"])
@requires(Permission.TEMPLATE_MANAGE)
def edit(key: str, channel: str) -> Any:
    chan = _channel(channel)
    values = tpl.effective(db.session, key, chan)
    errors: dict[str, str] = {}
    shown = None
    status = 200
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name, _ in tpl.PARTS[chan]}
        try:
            if request.form.get("do") == "save":
                tpl.save(db.session, key, chan, request.form, actor=current_actor(), now=now())
                flash("模板已保存，之后发出的消息按新模板生成")
                return redirect(url_for("notification_templates.edit", key=key, channel=chan.value))
            shown = tpl.preview(key, chan, request.form, signature=str(current_app.config.get("SMS_SIGNATURE") or ""))
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = exc.details or {"_schema": exc.message}, 422
    elif chan in tpl.channels_of(key):
        shown = tpl.preview(key, chan, values, signature=str(current_app.config.get("SMS_SIGNATURE") or ""))
    return render_template("notifications/template_edit.html", key=key, label=tpl.KEY_LABELS.get(key, key),
                           channel=chan, parts=tpl.PARTS[chan], values=values, errors=errors, preview=shown,
                           variables=[(v, tpl.VARIABLES[v]) for v in tpl.variables_for(key)],
                           customised=tpl.stored(db.session, key, chan) is not None,
                           sms_limit=tpl.SMS_SEGMENT), status


@bp.post("/<key>/<channel>/reset")
@requires(Permission.TEMPLATE_MANAGE)
def reset(key: str, channel: str) -> Any:
    changed = tpl.reset(db.session, key, _channel(channel), actor=current_actor(), now=now())
    flash("已恢复为系统默认模板" if changed else "该模板本来就是系统默认模板")
    return redirect(url_for("notification_templates.edit", key=key, channel=channel))
