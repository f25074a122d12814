"""Where documents go and who signs them, for one deployment.

The web layer (or the CLI) registers a provider with :func:`configure`; domain code asks :func:`current`
for the settings instead of reading Flask's config, so it stays Flask-free and tests can swap them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from service_hall.documents.errors import DocumentError
from service_hall.files.store import FileStore

if TYPE_CHECKING:
    from service_hall.documents.signing import SigningIdentity

PDF = "application/pdf"


@dataclass(frozen=True)
class DocumentSettings:
    """``signing_dir`` holds the deployment's signing identity (created at set-up, files 0600);
    ``public_base_url`` is where ``/verify/<token>`` is served (what the QR code points to)."""

    store: FileStore
    signing_dir: Path
    public_base_url: str
    _identity: list[SigningIdentity] = field(default_factory=list, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def identity(self, organisation_name: str) -> SigningIdentity:
        """The signing identity, created on first use with ``organisation_name`` (used only then).
        Raises SigningError when the directory holds a broken identity."""
        from service_hall.documents.signing import SigningIdentity

        with self._lock:
            if not self._identity:
                self._identity.append(SigningIdentity.load_or_create(self.signing_dir, organisation_name))
            return self._identity[0]

    def root_cert_pem(self) -> bytes:
        """The trust root as stored (no identity is created). Raises DocumentError if there is none."""
        from service_hall.documents.signing import ROOT_CERT_FILE

        try:
            return (self.signing_dir / ROOT_CERT_FILE).read_bytes()
        except OSError as exc:
            raise DocumentError(f"本系统的签章根证书不存在（{self.signing_dir}）：{exc.strerror}") from exc

    def verification_url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/verify/{token}"


_provider: Callable[[], DocumentSettings] | None = None


def configure(provider: Callable[[], DocumentSettings]) -> None:
    """Register where :func:`current` gets the settings from (the app factory does this)."""
    global _provider
    _provider = provider


def current() -> DocumentSettings:
    """The configured settings. Raises DocumentError when nothing was configured."""
    if _provider is None:
        raise DocumentError("document settings are not configured")
    return _provider()
