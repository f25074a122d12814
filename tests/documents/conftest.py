"""Fixtures of the document pipeline tests (no Flask, no network).

Rendering and key generation are the slow parts, so the PDFs and identities the tests inspect are made
once per session and shared. The fonts are those of the configured font directory
(``SERVICE_HALL_DOCUMENT_FONT_DIR`` or the package's ``fonts/build/``), built on first use as in
production.
"""

from __future__ import annotations

import pytest

from service_hall.documents import SigningIdentity, render_certificate, sign_pdf
from tests.factories.documents import make_certificate


@pytest.fixture(scope="session")
def signing_identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return SigningIdentity.load_or_create(tmp_path_factory.mktemp("signing"), "临安县行政审批服务中心")


@pytest.fixture(scope="session")
def other_identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return SigningIdentity.load_or_create(tmp_path_factory.mktemp("signing-other"), "冒名机构")


@pytest.fixture(scope="session")
def certificate_pdf() -> bytes:
    return render_certificate(make_certificate())


@pytest.fixture(scope="session")
def signed_certificate(certificate_pdf: bytes, signing_identity: SigningIdentity) -> bytes:
    return sign_pdf(certificate_pdf, signing_identity)
