"""PAdES signing and offline verification: a fresh signature verifies, any changed byte does not, and a
signature by another identity is not trusted."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from service_hall.documents import SigningError, SigningIdentity, sign_pdf, verify_pdf
from service_hall.documents.signing import (
    DEFAULT_REASON,
    ROOT_CERT_FILE,
    SIGNATURE_FIELD,
    SIGNING_CERT_FILE,
    SIGNING_KEY_FILE,
)


def test_fresh_signature_is_valid_trusted_and_covers_the_document(
    signed_certificate: bytes, signing_identity: SigningIdentity,
) -> None:
    report = verify_pdf(signed_certificate, signing_identity.root_cert_pem)
    assert report.valid
    assert (report.signature_intact, report.trusted, report.covers_whole_document) == (True, True, True)
    assert report.signer == "临安县行政审批服务中心 电子证照签章"
    assert report.signed_at is not None
    assert report.certificate_number == "JY13301850012345"
    assert report.problem is None


def test_signature_dictionary_is_pades_with_reason_and_field(signed_certificate: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(signed_certificate))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == SIGNATURE_FIELD
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == DEFAULT_REASON
    assert signature.sig_object["/Location"] == "临安县行政审批服务中心"


def _signed_ranges(pdf: bytes) -> tuple[range, range, range]:
    """The two signed byte ranges and the unsigned /Contents hole between them."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    start1, length1, start2, length2 = map(int, match.groups())
    return range(start1, start1 + length1), range(start1 + length1, start2), range(start2, start2 + length2)


def _flip(pdf: bytes, position: int) -> bytes:
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def _positions(pdf: bytes) -> list[int]:
    first, hole, second = _signed_ranges(pdf)
    signature_hex = pdf[hole.start:hole.stop].upper()
    # Fields of the CMS container that no signature covers, found by their DER bytes (hex-encoded in the
    # file): the version numbers (INTEGER 1) and the SHA-256 algorithm identifiers with their NULL.
    unsigned_fields = [
        hole.start + match.start() + offset
        for pattern in (b"020101", b"300D06096086480165030402010500")
        for match in re.finditer(pattern, signature_hex)
        for offset in (0, len(pattern) - 4, len(pattern) - 1)
    ]
    assert len(unsigned_fields) >= 9
    return sorted({
        # spread over the first signed range (header, page content, fonts, the original xref)
        *range(first.start, first.stop, max(len(first) // 15, 1)),
        first.stop - 1,
        *unsigned_fields,
        # the signature value: "<", DER header, certificate, signature, zero padding, ">"
        *range(hole.start, hole.stop, max(len(hole) // 12, 1)),
        hole.stop - 3, hole.stop - 1,
        # the second signed range: signature dictionary tail, AcroForm, xref, trailer, %%EOF
        *range(second.start, second.stop, max(len(second) // 10, 1)),
        second.stop - 1,
    })


def test_every_flipped_byte_is_detected(signed_certificate: bytes, signing_identity: SigningIdentity) -> None:
    root = signing_identity.root_cert_pem
    undetected = [
        position for position in _positions(signed_certificate)
        if verify_pdf(_flip(signed_certificate, position), root).valid
    ]
    assert undetected == []


def test_a_flipped_byte_in_the_signed_content_breaks_integrity(
    signed_certificate: bytes, signing_identity: SigningIdentity,
) -> None:
    first, _, _ = _signed_ranges(signed_certificate)
    tampered = _flip(signed_certificate, first.start + len(first) // 2)
    report = verify_pdf(tampered, signing_identity.root_cert_pem)
    assert report.signature_intact is False
    assert report.valid is False


def test_changed_padding_inside_the_signature_value_is_detected(
    signed_certificate: bytes, signing_identity: SigningIdentity,
) -> None:
    _, hole, _ = _signed_ranges(signed_certificate)
    padding = signed_certificate.rindex(b"0000", hole.start, hole.stop)  # DER is followed by zero padding
    tampered = signed_certificate[:padding] + b"1" + signed_certificate[padding + 1:]
    assert verify_pdf(tampered, signing_identity.root_cert_pem).valid is False


def test_signature_by_another_identity_is_not_trusted(
    certificate_pdf: bytes, signing_identity: SigningIdentity, other_identity: SigningIdentity,
) -> None:
    forged = sign_pdf(certificate_pdf, other_identity)
    report = verify_pdf(forged, signing_identity.root_cert_pem)
    assert report.signature_intact is True
    assert report.trusted is False
    assert report.valid is False


def test_appended_update_is_reported_as_not_covering_the_document(
    signed_certificate: bytes, signing_identity: SigningIdentity,
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_certificate))
    info = writer.trailer["/Info"].get_object()
    info[generic.NameObject("/certificatenumber")] = generic.TextStringObject("JY99999999999999")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), signing_identity.root_cert_pem)
    assert report.covers_whole_document is False
    assert report.valid is False
    assert report.certificate_number == "JY13301850012345"  # as signed, not as rewritten


@pytest.mark.parametrize("garbage", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"])
def test_unparseable_input_is_invalid_not_an_exception(
    garbage: bytes, signing_identity: SigningIdentity,
) -> None:
    report = verify_pdf(garbage, signing_identity.root_cert_pem)
    assert report.valid is False
    assert report.problem


def test_unsigned_pdf_is_invalid(certificate_pdf: bytes, signing_identity: SigningIdentity) -> None:
    report = verify_pdf(certificate_pdf, signing_identity.root_cert_pem)
    assert report.valid is False
    assert report.problem == "文件中没有电子签名"
    assert report.certificate_number is None


def test_truncated_signed_pdf_is_invalid(
    signed_certificate: bytes, signing_identity: SigningIdentity,
) -> None:
    assert verify_pdf(signed_certificate[:-100], signing_identity.root_cert_pem).valid is False


def test_bad_trust_root_is_a_configuration_error(signed_certificate: bytes) -> None:
    with pytest.raises(SigningError):
        verify_pdf(signed_certificate, b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


def test_identity_files_are_private_and_reloaded(signing_identity: SigningIdentity) -> None:
    directory = signing_identity.directory
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    again = SigningIdentity.load_or_create(directory, "另一个名称")  # the name only matters on creation
    assert again.root_cert == signing_identity.root_cert
    assert again.signing_cert == signing_identity.signing_cert
    assert again.organisation_name == "临安县行政审批服务中心"


def test_incomplete_identity_is_refused_not_overwritten(tmp_path: Path) -> None:
    SigningIdentity.load_or_create(tmp_path, "某县行政审批局")
    (tmp_path / SIGNING_KEY_FILE).unlink()
    before = (tmp_path / ROOT_CERT_FILE).read_bytes()
    with pytest.raises(SigningError, match=SIGNING_KEY_FILE):
        SigningIdentity.load_or_create(tmp_path, "某县行政审批局")
    assert (tmp_path / ROOT_CERT_FILE).read_bytes() == before


def test_mismatched_key_and_certificate_are_refused(tmp_path: Path, other_identity: SigningIdentity) -> None:
    SigningIdentity.load_or_create(tmp_path, "某县行政审批局")
    (tmp_path / SIGNING_CERT_FILE).write_bytes((other_identity.directory / SIGNING_CERT_FILE).read_bytes())
    with pytest.raises(SigningError):
        SigningIdentity.load_or_create(tmp_path, "某县行政审批局")


def test_signing_garbage_raises_signing_error(signing_identity: SigningIdentity) -> None:
    with pytest.raises(SigningError):
        sign_pdf(b"not a pdf", signing_identity)
