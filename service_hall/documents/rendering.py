"""HTML templates → PDF with WeasyPrint, with the CJK fonts of :mod:`service_hall.documents.fonts` and a
URL fetcher that can read nothing but ``data:`` URLs and this package's own templates and fonts.

WeasyPrint objects that are expensive to set up — the Fontconfig configuration with the registered
``@font-face`` fonts and the parsed base stylesheet — are pooled and reused for every document, one
document at a time each (WeasyPrint is not thread-safe): registering the fonts costs far more than
laying out a page.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from service_hall.documents import fonts
from service_hall.documents.context import CertificateData, NoticeData, NoticeKind
from service_hall.documents.errors import DocumentError, DocumentRenderError
from service_hall.documents.qr import qr_data_url

log = logging.getLogger(__name__)

TEMPLATE_DIR = fonts.PACKAGE_DIR / "templates"
PACKAGE_FONT_DIR = fonts.PACKAGE_DIR / "fonts"
BASE_STYLESHEET = "document.css"
_FLOOR_FONT = "DejaVu Sans"


class ForbiddenResource(ValueError):
    """A template referred to a resource outside what documents may load."""


class LockedDownFetcher(URLFetcher):
    """Serves ``data:`` URLs and files inside ``allowed_dirs``; refuses everything else.

    Documents are rendered from data that applicants typed in; even with autoescaping, a renderer that
    can fetch ``http:`` or arbitrary ``file:`` URLs is one template mistake away from leaking local files
    or probing the network, so anything else is an error that stops the rendering (``fail_on_errors``).
    """

    def __init__(self, allowed_dirs: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)
        self._allowed = tuple(directory.resolve() for directory in allowed_dirs)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost") and not parts.query:
            path = Path(url2pathname(parts.path)).resolve()  # resolves ``..`` and symlinks first
            if path.is_file() and any(path.is_relative_to(root) for root in self._allowed):
                mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})
        log.warning("document renderer refused to fetch %s", url[:200])
        raise ForbiddenResource(f"documents may not load {url[:200]}")


def _cn_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def _cn_datetime(value: dt.datetime) -> str:
    return f"{_cn_date(value)} {value.hour:02d}时{value.minute:02d}分"


def _make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field is a bug, not an empty line on a legal document
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cn_date"] = _cn_date
    environment.filters["cn_datetime"] = _cn_datetime
    return environment


_environment = _make_environment()


@dataclass
class _Engine:
    font_config: FontConfiguration
    stylesheets: list[CSS]  # document.css, parsed once
    fetcher: LockedDownFetcher
    font_set: fonts.FontSet | None  # None for the Latin floor
    family_sheets: dict[tuple[str, ...], CSS] = field(default_factory=dict)

    def family_sheet(self, families: tuple[str, ...]) -> CSS:
        """The ``font-family`` rule for one combination of families, parsed once."""
        sheet = self.family_sheets.get(families)
        if sheet is None:
            if len(self.family_sheets) > 256:  # documents with ever new rare characters: keep it bounded
                self.family_sheets.clear()
            font_list = ", ".join(f'"{family}"' for family in families)
            sheet = CSS(string=f"html {{ font-family: {font_list}; }}", font_config=self.font_config)
            self.family_sheets[families] = sheet
        return sheet

    def stylesheets_for(self, html: str) -> list[CSS]:
        if self.font_set is None:
            return [*self.stylesheets, self.family_sheet((_FLOOR_FONT,))]
        missing = self.font_set.missing(html)
        if missing:
            log.warning("no document font covers %s; they may print as boxes", " ".join(sorted(missing)))
        return [*self.stylesheets, self.family_sheet(self.font_set.font_families(html))]


_pool_lock = threading.Lock()
_idle_engines: dict[object, list[_Engine]] = {}


@contextmanager
def _engine(font_set: fonts.FontSet | None) -> Iterator[_Engine]:
    """Lend an engine for one document. WeasyPrint objects must not be used by two threads at once, but
    they are not tied to a thread either, so engines are pooled: as many exist as documents have been
    rendered concurrently, and a thread-per-request server does not pay the set-up for every request."""
    key: object = font_set.directory if font_set is not None else "latin-floor"
    with _pool_lock:
        idle = _idle_engines.setdefault(key, [])
        engine = idle.pop() if idle else None
    if engine is None:
        engine = _create_engine(font_set)
    try:
        yield engine
    finally:
        with _pool_lock:
            _idle_engines[key].append(engine)


def _create_engine(font_set: fonts.FontSet | None) -> _Engine:
    if font_set is not None and not all(face.path.is_file() for face in font_set.faces):
        # Another process rebuilt the fonts (new build format or system font) since this one read the
        # manifest; engines created earlier keep working from their own copies of the old files.
        font_set = fonts.load_font_set(font_set.directory, refresh=True)
    allowed = (TEMPLATE_DIR, PACKAGE_FONT_DIR) + ((font_set.directory,) if font_set is not None else ())
    fetcher = LockedDownFetcher(allowed)
    font_config = FontConfiguration()
    base_url = TEMPLATE_DIR.as_uri() + "/"
    stylesheets = [
        CSS(string=(TEMPLATE_DIR / BASE_STYLESHEET).read_text(encoding="utf-8"), base_url=base_url,
            url_fetcher=fetcher, font_config=font_config),
    ]
    if font_set is not None:
        # Parsing the @font-face rules registers the fonts with this Fontconfig configuration (WeasyPrint
        # copies each file into a temporary directory): the expensive part, done once per engine. The
        # rules need not be passed again with each document; leaving 150-odd rules out of the cascade
        # saves a few percent per page.
        CSS(string=font_set.stylesheet(), base_url=base_url, url_fetcher=fetcher, font_config=font_config)
    return _Engine(font_config=font_config, stylesheets=stylesheets, fetcher=fetcher, font_set=font_set)


def render_html(template_name: str, context: Mapping[str, Any]) -> str:
    """Render one of the document templates to an HTML string.

    Raises :class:`DocumentRenderError` when the template is missing, fails, or uses an undefined value.
    """
    try:
        return _environment.get_template(template_name).render(context)
    except jinja2.TemplateError as exc:
        raise DocumentRenderError(f"template {template_name}: {exc}") from exc


def html_to_pdf(html: str, *, latin_floor: bool = False) -> bytes:
    """Lay out ``html`` (from :func:`render_html`) as a PDF with the document fonts.

    ``latin_floor=True`` swaps the CJK fonts for the system's DejaVu Sans, for the benchmark floor only.
    Characters no document font covers are logged. Raises :class:`FontBuildError` when the fonts are
    missing and cannot be built, and :class:`DocumentRenderError` when WeasyPrint fails or the document
    refers to a forbidden resource.
    """
    font_set = None if latin_floor else fonts.load_font_set()
    with _engine(font_set) as engine:
        stylesheets = engine.stylesheets_for(html)
        try:
            document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=engine.fetcher)
            pdf = document.write_pdf(
                stylesheets=stylesheets, font_config=engine.font_config, custom_metadata=True,
            )
        except FatalURLFetchingError as exc:
            raise DocumentRenderError(str(exc.__cause__ or exc)) from exc
        except DocumentError:
            raise
        except Exception as exc:  # WeasyPrint has no error hierarchy of its own
            raise DocumentRenderError(f"WeasyPrint failed: {exc!r}") from exc
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render the template ``template_name`` (in ``service_hall/documents/templates/``) with ``context``
    to PDF bytes.

    Raises :class:`DocumentRenderError` (template or layout failure, forbidden resource) and
    :class:`FontBuildError` (fonts missing and not buildable).
    """
    return html_to_pdf(render_html(template_name, context))


def certificate_context(data: CertificateData) -> dict[str, Any]:
    """The template context of ``certificate.html`` (with the QR code already generated)."""
    return {"cert": data, "authority": data.authority, "qr_url": qr_data_url(data.verification_url)}


def render_certificate(data: CertificateData) -> bytes:
    """The e-certificate as an (unsigned) PDF whose Info dictionary carries the certificate number under
    :data:`~service_hall.documents.context.CERTIFICATE_NUMBER_INFO_KEY`.

    Raises :class:`DocumentRenderError` and :class:`FontBuildError` like :func:`render_pdf`.
    """
    return render_pdf("certificate.html", certificate_context(data))


def notice_context(kind: NoticeKind, data: NoticeData) -> dict[str, Any]:
    """The template context of a notice; raises :class:`DocumentDataError` when ``data`` lacks a field
    ``kind`` requires."""
    data.check(kind)
    return {"notice": data, "kind": kind, "authority": data.authority, "title": kind.title}


def render_notice(kind: NoticeKind, data: NoticeData) -> bytes:
    """A statutory notice or decision as an (unsigned) PDF.

    Raises :class:`DocumentDataError` when ``data`` lacks what ``kind`` requires (e.g. a correction notice
    without items), and :class:`DocumentRenderError` / :class:`FontBuildError` like :func:`render_pdf`.
    """
    return render_pdf(kind.template, notice_context(kind, data))


def latin_stand_in(html: str) -> str:
    """``html`` with its text made Latin at about the same printed width, for the benchmark floor.

    A CJK character is a full em wide; two Latin letters are about as wide. So each pair of CJK
    characters becomes three letters and a space (a short word), each other non-ASCII character one
    letter. Lines then wrap where the Chinese lines wrap and the layout does the same work, so the
    difference to the real document is what the CJK fonts cost. Markup is ASCII and stays as it is.
    """
    out = []
    cjk_run = 0
    for char in html:
        code = ord(char)
        if code < 0x80:
            cjk_run = 0
            out.append(char)
        elif code >= 0x2E80:  # CJK scripts, punctuation and full-width forms
            letters = chr(0x61 + code % 26) + chr(0x61 + code // 26 % 26)
            out.append(letters if cjk_run % 2 == 0 else letters[0] + " ")
            cjk_run += 1
        else:
            cjk_run = 0
            out.append(chr(0x61 + code % 26))
    return "".join(out)


def render_latin_floor(template_name: str, context: Mapping[str, Any]) -> bytes:
    """The benchmark floor: the same template, data and code path with the text replaced by Latin
    letters of about the same printed width (:func:`latin_stand_in`), set in DejaVu Sans only. Not for
    documents anyone receives.

    Raises :class:`DocumentRenderError` like :func:`render_pdf`.
    """
    return html_to_pdf(latin_stand_in(render_html(template_name, context)), latin_floor=True)
