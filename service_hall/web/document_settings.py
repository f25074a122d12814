"""The current app's document settings (file store, signing identity, public base URL), shared by the
download pages, the verification page and the API. A helper module, not a blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from service_hall.certificates.settings import DocumentSettings
from service_hall.extensions import file_store


def settings() -> DocumentSettings:
    """The current app's document settings (one object per app, so the identity is loaded once)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("document_settings")
    if found is None:
        found = DocumentSettings(store=file_store(app),
                                 signing_dir=Path(app.config["SIGNING_KEY_PATH"]),
                                 public_base_url=app.config["PUBLIC_BASE_URL"])
        app.extensions["document_settings"] = found
    return found
