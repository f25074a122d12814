"""QR codes for the certificates, as ``data:`` URLs that the locked-down renderer accepts."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
from PIL import Image


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of a QR code (error correction M) for ``data``, including the 4-module quiet zone.

    Raises ``ValueError`` for empty data and ``qrcode.exceptions.DataOverflowError`` for data beyond a
    version-40 code.
    """
    if not data:
        raise ValueError("a QR code needs data")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_data_url(url: str) -> str:
    """A QR code encoding ``url`` as a PNG ``data:`` URL with one pixel per module.

    The template scales it up with ``image-rendering: pixelated``, which makes WeasyPrint mark the image
    as not to be interpolated, so viewers and printers draw sharp modules at any resolution. A PNG of a
    few hundred bytes is also far cheaper for WeasyPrint than an SVG: parsing an SVG path of several
    hundred sub-paths took longer than laying out the rest of the certificate. Raises like
    :func:`qr_matrix`.
    """
    matrix = qr_matrix(url)
    size = len(matrix)
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
