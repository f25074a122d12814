"""Small helpers for HTML form views."""

from __future__ import annotations

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
