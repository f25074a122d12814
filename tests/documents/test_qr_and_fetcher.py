"""QR codes and the locked-down resource fetcher of the renderer."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from service_hall.documents import DocumentRenderError, qr_data_url, render_pdf
from service_hall.documents.rendering import (
    PACKAGE_FONT_DIR,
    TEMPLATE_DIR,
    ForbiddenResource,
    LockedDownFetcher,
    html_to_pdf,
)


@pytest.mark.parametrize(
    "url", ["https://zwfw.example.gov.cn/verify/JY1?c=8f3a9c", "https://x.cn/v/" + "a" * 300],
)
def test_qr_data_url_decodes_to_the_url(url: str) -> None:
    from pyzbar.pyzbar import decode

    prefix = "data:image/png;base64,"
    data_url = qr_data_url(url)
    assert data_url.startswith(prefix)
    with Image.open(io.BytesIO(base64.b64decode(data_url[len(prefix):]))) as image:
        size = image.size[0]
        # One pixel per module is too small for a camera-style decoder; scale up without smoothing.
        scaled = image.convert("L").resize((size * 8, size * 8), Image.Resampling.NEAREST)
    assert [symbol.data.decode() for symbol in decode(scaled)] == [url]


def test_qr_needs_data() -> None:
    with pytest.raises(ValueError):
        qr_data_url("")


@pytest.fixture
def fetcher() -> LockedDownFetcher:
    return LockedDownFetcher((TEMPLATE_DIR, PACKAGE_FONT_DIR))


def test_fetcher_serves_data_urls_and_own_templates(fetcher: LockedDownFetcher) -> None:
    assert fetcher.fetch("data:text/plain;base64,5Lit").read() == "中".encode()
    response = fetcher.fetch((TEMPLATE_DIR / "document.css").as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (TEMPLATE_DIR / ".." / ".." / ".." / "setup.cfg").as_uri(),  # traversal out of the package
        TEMPLATE_DIR.as_uri() + "/../../../setup.cfg",
        TEMPLATE_DIR.as_uri() + "/does-not-exist.css",
        "http://127.0.0.1:5000/healthz",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "file://otherhost" + str(TEMPLATE_DIR / "document.css"),
    ],
)
def test_fetcher_refuses_everything_else(fetcher: LockedDownFetcher, url: str) -> None:
    with pytest.raises(ForbiddenResource):
        fetcher.fetch(url)


def test_fetcher_does_not_follow_symlinks_out_of_the_allowed_directories(tmp_path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (allowed / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ForbiddenResource):
        LockedDownFetcher((allowed,)).fetch((allowed / "link.txt").as_uri())


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        "<style>@import url(file:///etc/hostname);</style><p>x</p>",
        '<p style="background: url(https://example.com/track.png)">x</p>',
    ],
)
def test_rendering_stops_at_a_forbidden_resource(html: str) -> None:
    with pytest.raises(DocumentRenderError):
        html_to_pdf(f"<html><body>{html}</body></html>")


def test_undefined_template_values_are_errors_not_blanks() -> None:
    with pytest.raises(DocumentRenderError, match="undefined"):
        render_pdf("certificate.html", {})


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(DocumentRenderError):
        render_pdf("no-such-template.html", {})
