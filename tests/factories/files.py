"""Uploaded files: the smallest valid PDF and PNG, stored in the app's file store."""

from __future__ import annotations

import datetime as dt
from typing import Any

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32


def upload(owner: Any, *, now: dt.datetime, content: bytes = PDF, filename: str = "a.pdf",
           material_name: str = "申请表", content_type: str = "application/pdf") -> Any:
    """A file uploaded by ``owner`` (in the current app context's session, not committed)."""
    from flask import current_app

    from service_hall.extensions import db, file_store
    from service_hall.files.store import store_upload

    return store_upload(db.session, file_store(current_app), owner, content=content,
                        filename=filename, material_name=material_name, content_type=content_type, now=now)
