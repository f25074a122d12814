"""``flask certificates verify FILE.pdf``: offline signature check plus the certificate's status."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from service_hall.documents import Authority, CertificateData, render_certificate, sign_pdf
from service_hall.documents.signing import SigningIdentity
from service_hall.extensions import db
from tests.factories.cases import approved_case, drive
from tests.factories.certificates import certificate_pdf


def _verify(runner, path: Path, *args: str):
    return runner.invoke(args=["certificates", "verify", str(path), *args])


def test_a_valid_certificate_passes(app, cworld, runner, tmp_path):
    path = tmp_path / "cert.pdf"
    path.write_bytes(certificate_pdf(app, approved_case(app)))
    result = _verify(runner, path)
    assert result.exit_code == 0, result.output
    assert "有效" in result.output and "李堃" in result.output


def test_one_changed_byte_is_detected(app, cworld, runner, tmp_path):
    pdf = bytearray(certificate_pdf(app, approved_case(app)))
    middle = len(pdf) // 3
    pdf[middle] = pdf[middle] ^ 0x01
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(pdf))
    result = _verify(runner, path)
    assert result.exit_code == 1
    assert "签名无效" in result.output


def test_a_revoked_certificate_fails_with_the_reason(app, cworld, runner, tmp_path):
    case_id = approved_case(app)
    path = tmp_path / "cert.pdf"
    path.write_bytes(certificate_pdf(app, case_id))
    drive(app, case_id, "revoke", day="2026-11-24")
    result = _verify(runner, path)
    assert result.exit_code == 1 and "已撤销" in result.output and "以欺骗手段取得" in result.output
    offline = _verify(runner, path, "--offline")
    assert offline.exit_code == 0 and "未查询证照状态" in offline.output


def test_an_unknown_number_and_a_foreign_signature_fail(app, cworld, runner, tmp_path):
    approved_case(app)  # the deployment's identity exists
    data = CertificateData(
        certificate_number="9999992026000001", certificate_name="伪造证", holder_name="李堃", holder_id="",
        item_name="x", scope="x", valid_from=dt.date(2026, 1, 1), valid_until=None, legal_basis="x",
        authority=Authority.devolved("青山镇人民政府"), issued_on=dt.date(2026, 1, 1),
        verification_url="http://localhost/verify/x")
    pdf = render_certificate(data)
    own = SigningIdentity.load_or_create(Path(app.config["SIGNING_KEY_PATH"]), "unused")
    (tmp_path / "unknown.pdf").write_bytes(sign_pdf(pdf, own))
    result = _verify(runner, tmp_path / "unknown.pdf")
    assert result.exit_code == 1 and "不存在" in result.output
    stranger = SigningIdentity.load_or_create(tmp_path / "stranger", "冒名机构")
    (tmp_path / "foreign.pdf").write_bytes(sign_pdf(pdf, stranger))
    result = _verify(runner, tmp_path / "foreign.pdf")
    assert result.exit_code == 1 and "不是本系统签发" in result.output


def test_demo_load_creates_the_signing_key_private(app, runner, tmp_path, monkeypatch):
    key_dir = tmp_path / "signing"
    monkeypatch.setitem(app.config, "SIGNING_KEY_PATH", str(key_dir))
    app.extensions.pop("document_settings", None)
    try:
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        keys = sorted(key_dir.glob("*.key.pem"))
        assert keys and all(stat.S_IMODE(os.stat(k).st_mode) == 0o600 for k in keys)
        with app.app_context():
            from service_hall.web.documents import settings

            assert settings().identity("x").organisation_name.endswith("人民政府")
    finally:
        app.extensions.pop("document_settings", None)
        with app.app_context():
            db.session.rollback()
