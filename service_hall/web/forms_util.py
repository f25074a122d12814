"""Small helpers for HTML form views."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import request


def safe_next(default: str) -> str:
    """A same-site relative redirect target from ``?next=``; anything else falls back to default."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def form_values(exclude: tuple[str, ...] = ("password", "password_confirm", "csrf_token")) -> dict[str, str]:
    """What the user typed, for redisplay (never echo passwords)."""
    return {k: v for k, v in request.form.items() if k not in exclude}


_ROW = re.compile(r"^(?P<table>[^\[.]+)\[(?P<row>\d+)\]\.(?P<field>.+)$")


def labelled_errors(errors: Mapping[str, str], definition: Any, materials: Sequence[Any] = ()) -> dict[str, str]:
    """The error summary names each field ("申请人姓名：必填项"), a table cell by its row
    ("家庭成员第2行 姓名：必填项") and a material by its name; keys stay, so links still reach the field."""
    labels: dict[str, str] = {f"material-{m.code}": m.name for m in materials}
    tables: dict[str, Any] = {}
    for field in getattr(definition, "fields", ()) or ():
        labels[field.name] = field.label
        if field.fields:
            tables[field.name] = field
    out = {}
    for key, message in errors.items():
        label = labels.get(key)
        row = _ROW.match(key)
        if label is None and row and row["table"] in tables:
            table = tables[row["table"]]
            sub = next((f.label for f in table.fields if f.name == row["field"]), row["field"])
            label = f"{table.label}第{int(row['row']) + 1}行 {sub}"
        out[key] = f"{label}：{message}" if label and not message.startswith(label) else message
    return out
