"""What the tests read out of a PDF: its text, its fonts, its QR codes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """Text of every page as pypdf extracts it, with all whitespace removed (line breaks and the spacing
    of letter-spaced titles are layout, not content)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def poppler_text(pdf: bytes) -> str:
    """The same through poppler's ``pdftotext``; fails the test when poppler-utils is missing."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: `make install-test` installs it")
    out = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                         check=True)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def embedded_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded?) of every font on every page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            found.append((str(font["/BaseFont"]), bool({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor))))
    return found


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """The contents of the QR codes on the first page; fails the test when poppler-utils is missing."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is missing: `make install-test` installs it")
    from pyzbar.pyzbar import decode

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-", str(tmp_path / "page")], input=pdf,
                   check=True)
    with Image.open(tmp_path / "page.png") as page:
        return [symbol.data.decode() for symbol in decode(page)]
