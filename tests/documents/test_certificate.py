"""The certificate PDF: text, fonts, metadata and QR code."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from service_hall.documents import CERTIFICATE_NUMBER_INFO_KEY, Authority, render_certificate
from service_hall.documents.rendering import certificate_context, render_latin_floor
from tests.factories.documents import DEPARTMENT, RARE_NAME, TOWN, VERIFY_URL, make_certificate
from tests.factories.pdf import pdf_text, poppler_text


def _fonts(pdf: bytes) -> list[tuple[str, object]]:
    """(BaseFont, descendant font dictionary) of every font used on any page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            found.append((str(font["/BaseFont"]), descendant))
    return found


def test_extracted_text_equals_the_input_including_rare_characters(certificate_pdf: bytes) -> None:
    data = make_certificate()
    for extract in (pdf_text, poppler_text):
        text = extract(certificate_pdf)
        for value in (
            RARE_NAME, data.certificate_number, data.certificate_name, data.holder_id, data.item_name,
            data.scope, data.legal_basis, *data.conditions, "自2025年3月1日至2030年2月28日", "2025年3月1日",
        ):
            assert value in text, (extract.__name__, value)


def test_every_font_is_embedded_and_none_comes_from_the_system(certificate_pdf: bytes) -> None:
    fonts = _fonts(certificate_pdf)
    assert fonts
    for name, descendant in fonts:
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
        # Only the generated fonts: a Noto or DejaVu here would mean a character fell back to the system.
        assert "+ServiceHall-Serif" in name, name


def _glyph_bounds(pdf: bytes, char: str) -> tuple[str, tuple[float, float, float, float] | None]:
    """The embedded font drawing ``char`` and the bounding box of the glyph it draws (None: no outline)."""
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            codes = [code for code, text in re.findall(r"<([0-9a-f]{4})>\s*<([0-9a-f]+)>", cmap)
                     if bytes.fromhex(text).decode("utf-16-be") == char]
            if not codes:
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant["/CIDToGIDMap"] == "/Identity"
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = next(descriptor[key] for key in ("/FontFile2", "/FontFile3") if key in descriptor)
            embedded = TTFont(io.BytesIO(stream.get_object().get_data()))
            glyph_id = int(codes[0], 16)
            assert glyph_id != 0, f"{char} is drawn as .notdef"
            glyph_name = embedded.getGlyphOrder()[glyph_id]
            pen = BoundsPen(embedded.getGlyphSet())
            embedded.getGlyphSet()[glyph_name].draw(pen)
            return str(font["/BaseFont"]), pen.bounds
    raise AssertionError(f"{char} is not drawn by any font")


@pytest.mark.parametrize("char", list(RARE_NAME))
def test_every_character_is_a_real_glyph_from_an_embedded_font(certificate_pdf: bytes, char: str) -> None:
    font, bounds = _glyph_bounds(certificate_pdf, char)
    # A box (tofu) would be .notdef; an empty glyph would have no bounds.
    assert bounds is not None, (char, font)
    x_min, y_min, x_max, y_max = bounds
    assert x_max - x_min > 300 and y_max - y_min > 300, (char, font, bounds)  # a full-size ideograph
    expected = "+ServiceHall-Serif" if char == "王" else "+ServiceHall-Serif-X"  # outside GB 2312: extension
    assert expected in font, (char, font)


def test_common_characters_need_no_extension_font() -> None:
    pdf = render_certificate(make_certificate(holder_name="王坤", address=""))
    names = [name for name, _ in _fonts(pdf)]
    assert not any("-X0" in name for name in names), names


def test_certificate_number_is_in_the_info_dictionary(certificate_pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(certificate_pdf)).metadata
    assert info is not None
    assert info["/" + CERTIFICATE_NUMBER_INFO_KEY] == "JY13301850012345"
    assert DEPARTMENT in info["/Author"]


def test_page_is_a4_and_the_certificate_fits_one_page(certificate_pdf: bytes) -> None:
    pages = PdfReader(io.BytesIO(certificate_pdf)).pages
    assert len(pages) == 1
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_qr_code_on_the_page_decodes_to_the_verification_url(certificate_pdf: bytes, tmp_path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is missing: `make install-test` installs it")
    from pyzbar.pyzbar import decode

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-", str(tmp_path / "page")],
                   input=certificate_pdf, check=True)
    with Image.open(tmp_path / "page.png") as page:
        decoded = decode(page)
    assert [symbol.data.decode() for symbol in decoded] == [VERIFY_URL]


def test_entrusted_certificate_is_issued_in_the_department_name(certificate_pdf: bytes) -> None:
    text = pdf_text(certificate_pdf)
    assert DEPARTMENT in text
    assert f"（受委托实施机关：{TOWN}）" in text


def test_devolved_certificate_names_only_the_town() -> None:
    text = pdf_text(render_certificate(make_certificate(authority=Authority.devolved(TOWN), address="")))
    assert TOWN in text
    assert DEPARTMENT not in text
    assert "受委托" not in text


def test_user_input_is_escaped_not_interpreted() -> None:
    pdf = render_certificate(make_certificate(holder_name='<img src="file:///etc/passwd">王五'))
    assert '<imgsrc="file:///etc/passwd">王五' in pdf_text(pdf)


def test_open_ended_validity_prints_as_long_term() -> None:
    pdf = render_certificate(make_certificate(valid_until=None, address=""))
    assert "长期有效（自2025年3月1日起）" in pdf_text(pdf) and "至长期" not in pdf_text(pdf)


def test_latin_floor_uses_dejavu_only() -> None:
    pdf = render_latin_floor("certificate.html", certificate_context(make_certificate()))
    names = {name.split("+", 1)[1] for name, _ in _fonts(pdf)}
    assert names <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, names


def test_concurrent_rendering_from_two_threads() -> None:
    results: dict[str, str] = {}

    def render(name: str) -> None:
        results[name] = pdf_text(render_certificate(make_certificate(holder_name=name, address="")))

    threads = [threading.Thread(target=render, args=(name,)) for name in ("张喆", "李龑")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {"张喆", "李龑"}
    for name, text in results.items():
        assert name in text


def test_characters_no_font_covers_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="service_hall.documents.rendering"):
        render_certificate(make_certificate(holder_name="王\ue000", address=""))
    assert any("\ue000" in record.getMessage() for record in caplog.records)
