"""PAdES signatures on issued documents, with the deployment's own key, verifiable offline.

On first use :meth:`SigningIdentity.load_or_create` makes a self-signed root certificate for the
organisation and a document-signing certificate issued by it (ECDSA P-256). The root certificate is what
verifiers trust (publish it on the verification page); the root key stays in the directory only so that
the signing certificate can be renewed without changing the root.

Documents are signed as PAdES B-B certification signatures that permit no further changes, with the
reason 电子证照签章. :func:`verify_pdf` reports rather than raises: a tampered or unparseable file is an
answer ("invalid"), not an error.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from service_hall.documents.context import CERTIFICATE_NUMBER_INFO_KEY
from service_hall.documents.errors import SigningError

log = logging.getLogger(__name__)

SIGNATURE_FIELD = "ServiceHallSeal"
DEFAULT_REASON = "电子证照签章"
ROOT_CERT_FILE = "root-ca.crt.pem"
ROOT_KEY_FILE = "root-ca.key.pem"
SIGNING_CERT_FILE = "document-signing.crt.pem"
SIGNING_KEY_FILE = "document-signing.key.pem"
_FILES = (ROOT_CERT_FILE, ROOT_KEY_FILE, SIGNING_CERT_FILE, SIGNING_KEY_FILE)
ROOT_VALIDITY = dt.timedelta(days=20 * 365)
SIGNING_VALIDITY = dt.timedelta(days=10 * 365)


@dataclass(frozen=True)
class SigningIdentity:
    """The deployment's root certificate and its document-signing key and certificate."""

    directory: Path
    root_cert: x509.Certificate
    signing_cert: x509.Certificate
    signing_key: ec.EllipticCurvePrivateKey
    _signer: signers.SimpleSigner = field(repr=False, compare=False)

    @property
    def organisation_name(self) -> str:
        names = self.root_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return str(names[0].value) if names else ""

    @property
    def root_cert_pem(self) -> bytes:
        """The trust anchor to hand to :func:`verify_pdf` (and to publish for offline verification)."""
        return self.root_cert.public_bytes(serialization.Encoding.PEM)

    @classmethod
    def load_or_create(cls, directory: Path, organisation_name: str) -> SigningIdentity:
        """Load the identity stored in ``directory``, creating it first if the directory holds none.

        New files are written with mode 0600 in a directory of mode 0700; concurrent first calls from
        several workers are serialised by a lock file, so exactly one identity is created.
        ``organisation_name`` is used only when creating. Raises :class:`SigningError` when the directory
        holds an incomplete or inconsistent identity (it is never overwritten) or cannot be written.
        """
        directory = Path(directory)
        with _locked(directory):
            present = [name for name in _FILES if (directory / name).exists()]
            if not present:
                log.warning("creating the document-signing identity for %s in %s",
                            organisation_name, directory)
                _create(directory, organisation_name)
            elif len(present) != len(_FILES):
                missing = sorted(set(_FILES) - set(present))
                raise SigningError(
                    f"incomplete signing identity in {directory}: missing {', '.join(missing)}"
                )
            return cls._load(directory)

    def for_issuer(self, issuer_name: str) -> SigningIdentity:
        """The identity that signs in ``issuer_name``'s name (an entrusting office, a town): a signing
        certificate of its own, issued once by this deployment's root, so every document verifies against
        the same trust anchor while the signature names who acted. The root's own organisation gets this
        identity itself. Raises SigningError (the root key unreadable, the directory not writable)."""
        name = issuer_name.strip()
        if not name or name == self.organisation_name:
            return self
        sub = self.directory / "issuers" / hashlib.sha256(name.encode()).hexdigest()[:16]
        with _locked(sub):
            if not (sub / SIGNING_CERT_FILE).exists():
                try:
                    root_key = serialization.load_pem_private_key((self.directory / ROOT_KEY_FILE).read_bytes(),
                                                                  None)
                except (OSError, ValueError) as exc:
                    raise SigningError(f"cannot read the root key in {self.directory}: {exc}") from exc
                if not isinstance(root_key, ec.EllipticCurvePrivateKey):
                    raise SigningError(f"{self.directory / ROOT_KEY_FILE} is not an EC private key")
                key, cert = _signing_pair(name, self.root_cert, root_key)
                pem, pkcs8 = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
                _write_private(sub / SIGNING_KEY_FILE, key.private_bytes(pem, pkcs8, serialization.NoEncryption()))
                _write_private(sub / SIGNING_CERT_FILE, cert.public_bytes(pem))
            return type(self)._load(sub, root_cert=self.root_cert)

    @classmethod
    def _load(cls, directory: Path, *, root_cert: x509.Certificate | None = None) -> SigningIdentity:
        """Read an identity; an issuer's directory holds only its signing pair (``root_cert`` given)."""
        if root_cert is not None:
            return cls._from_files(directory, root_cert, key_files=(SIGNING_KEY_FILE,))
        try:
            root = x509.load_pem_x509_certificate((directory / ROOT_CERT_FILE).read_bytes())
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot read the signing identity in {directory}: {exc}") from exc
        return cls._from_files(directory, root, key_files=(ROOT_KEY_FILE, SIGNING_KEY_FILE))

    @classmethod
    def _from_files(cls, directory: Path, root_cert: x509.Certificate, *,
                    key_files: tuple[str, ...]) -> SigningIdentity:
        try:
            signing_cert = x509.load_pem_x509_certificate((directory / SIGNING_CERT_FILE).read_bytes())
            signing_key = serialization.load_pem_private_key(
                (directory / SIGNING_KEY_FILE).read_bytes(), None,
            )
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot read the signing identity in {directory}: {exc}") from exc
        for name in key_files:
            mode = (directory / name).stat().st_mode & 0o777
            if mode & 0o077:
                log.warning("%s is readable by others (mode %o); it should be 0600", directory / name, mode)
        if not isinstance(signing_key, ec.EllipticCurvePrivateKey):
            raise SigningError(f"{directory / SIGNING_KEY_FILE} is not an EC private key")
        cert_key = signing_cert.public_key()
        if (not isinstance(cert_key, ec.EllipticCurvePublicKey)
                or signing_key.public_key().public_numbers() != cert_key.public_numbers()):
            raise SigningError(f"{SIGNING_KEY_FILE} does not belong to {SIGNING_CERT_FILE} in {directory}")
        try:
            signing_cert.verify_directly_issued_by(root_cert)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise SigningError(
                f"{SIGNING_CERT_FILE} was not issued by {ROOT_CERT_FILE} in {directory}"
            ) from exc
        der = serialization.Encoding.DER
        root_asn1 = asn1_x509.Certificate.load(root_cert.public_bytes(der))
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(signing_cert.public_bytes(der)),
            signing_key=asn1_keys.PrivateKeyInfo.load(signing_key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
            )),
            cert_registry=SimpleCertificateStore.from_certs([root_asn1]),
            # The CMS certificate set is not covered by the signature; a root copied into it could be
            # altered without any check noticing. Verifiers bring their own trust root anyway.
            embed_roots=False,
        )
        return cls(directory=directory, root_cert=root_cert, signing_cert=signing_cert,
                   signing_key=signing_key, _signer=signer)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise SigningError(f"cannot use signing directory {directory}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _name(organisation_name: str, common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _create(directory: Path, organisation_name: str) -> None:
    if not organisation_name.strip():
        raise SigningError("an organisation name is required to create a signing identity")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(organisation_name, f"{organisation_name} 电子证照根证书")
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signing_key, signing_cert = _signing_pair(organisation_name, root_cert, root_key)
    pem, pkcs8 = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    plain = serialization.NoEncryption()
    # Keys first: a crash half-way leaves an incomplete identity that load_or_create refuses to use,
    # never a certificate without its key.
    _write_private(directory / ROOT_KEY_FILE, root_key.private_bytes(pem, pkcs8, plain))
    _write_private(directory / SIGNING_KEY_FILE, signing_key.private_bytes(pem, pkcs8, plain))
    _write_private(directory / ROOT_CERT_FILE, root_cert.public_bytes(pem))
    _write_private(directory / SIGNING_CERT_FILE, signing_cert.public_bytes(pem))


def _signing_pair(organisation_name: str, root_cert: x509.Certificate,
                  root_key: ec.EllipticCurvePrivateKey) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new document-signing key and its certificate in ``organisation_name``'s name, issued by the root."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation_name, f"{organisation_name} 电子证照签章"))
        .issuer_name(root_cert.subject)
        .public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + SIGNING_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return signing_key, signing_cert


def _write_private(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates with 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.link(tmp, path)  # fails if the file appeared meanwhile instead of replacing it
    except OSError as exc:
        raise SigningError(f"cannot write {path}: {exc}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def sign_pdf(
    pdf: bytes, identity: SigningIdentity, *, reason: str = DEFAULT_REASON, location: str | None = None,
) -> bytes:
    """Add a PAdES B-B certification signature (no later changes permitted) to ``pdf``.

    The signature field is :data:`SIGNATURE_FIELD`; ``location`` defaults to the organisation name.
    Raises :class:`SigningError` when the PDF cannot be read or signed.
    """
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location or identity.organisation_name,
        name=identity.organisation_name,
        md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=sig_fields.MDPPerm.NO_CHANGES,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.PdfSigner(metadata, signer=identity._signer).sign_pdf(writer)
    except Exception as exc:  # pyHanko raises from several hierarchies (PdfReadError, SigningError …)
        raise SigningError(f"cannot sign PDF: {exc}") from exc
    assert isinstance(out, io.BytesIO)
    return out.getvalue()


@dataclass(frozen=True)
class VerificationReport:
    """What :func:`verify_pdf` found. ``valid`` is the one-word answer."""

    signature_intact: bool  # the signed bytes are unchanged and the signature over them checks out
    trusted: bool  # the signer's certificate chains to the given trust root
    covers_whole_document: bool  # nothing was appended after signing
    signer: str | None
    signed_at: dt.datetime | None
    certificate_number: str | None
    problem: str | None = None  # why the file could not be checked, in Chinese

    @property
    def valid(self) -> bool:
        return self.signature_intact and self.trusted and self.covers_whole_document


def _invalid(problem: str, certificate_number: str | None = None) -> VerificationReport:
    return VerificationReport(
        signature_intact=False, trusted=False, covers_whole_document=False, signer=None, signed_at=None,
        certificate_number=certificate_number, problem=problem,
    )


def verify_pdf(pdf: bytes, trust_root_cert_pem: bytes) -> VerificationReport:
    """Check the document signature of ``pdf`` against ``trust_root_cert_pem`` without network access.

    Never raises for a bad document: a file that is not a PDF, has no signature, or was changed in any
    byte yields a report with ``valid`` false (and ``problem`` saying why when it could not be parsed).
    Raises :class:`SigningError` only when ``trust_root_cert_pem`` itself is not a PEM certificate.
    """
    try:
        _, _, der = asn1_pem.unarmor(trust_root_cert_pem)
        trust_root = asn1_x509.Certificate.load(der)
        trust_root.native  # noqa: B018 (forces a full parse so a corrupt root fails here)
    except Exception as exc:
        raise SigningError(f"trust root is not a PEM certificate: {exc}") from exc
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
        if not signatures:
            return _invalid("文件中没有电子签名")
        ours = [s for s in signatures if s.field_name == SIGNATURE_FIELD]
        signature = (ours or signatures)[-1]
        number = _certificate_number(reader, signature.signed_revision)
        if not _signature_container_is_exact(signature.pkcs7_content):
            return _invalid("签名数据被改动", number)
        # Offline: the self-signed chain carries no CRL or OCSP pointers, so there is nothing to fetch.
        context = ValidationContext(
            trust_roots=[trust_root], allow_fetching=False, revocation_mode="soft-fail",
        )
        status = validate_pdf_signature(signature, context)
        signer = status.signing_cert.subject.native.get("common_name") if status.signing_cert else None
        return VerificationReport(
            signature_intact=bool(status.intact and status.valid),
            trusted=bool(status.trusted),
            covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            signer=signer,
            signed_at=status.signer_reported_dt,
            certificate_number=number,
        )
    except Exception as exc:  # any parse failure of a tampered file means "invalid", never a crash
        log.info("PDF signature verification failed: %r", exc)
        return _invalid(f"文件无法解析：{type(exc).__name__}")


def signature_reason(pdf: bytes) -> str | None:
    """The reason written in the document signature of ``pdf`` (None if it has none or cannot be read).
    Read only; checking the signature is :func:`verify_pdf`'s job."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
        ours = [s for s in signatures if s.field_name == SIGNATURE_FIELD]
        signature = (ours or signatures)[-1]
        reason = signature.sig_object.get("/Reason")
    except Exception:  # not a PDF, no signature, damaged: there is no reason to report
        return None
    return str(reason) if reason is not None else None


def _certificate_number(reader: PdfFileReader, revision: int) -> str | None:
    # Read the Info dictionary as it was signed, not as a later incremental update may have rewritten it.
    resolver = reader.get_historical_resolver(revision)
    try:
        info = resolver.trailer_view.raw_get("/Info")
    except KeyError:
        return None
    if isinstance(info, generic.IndirectObject):
        info = resolver.get_object(info.reference)
    if not isinstance(info, generic.DictionaryObject):
        return None
    value = info.get("/" + CERTIFICATE_NUMBER_INFO_KEY)
    return str(value) if value is not None else None


# The parts of a CMS signature that no signature covers, exactly as this module's signer writes them.
_VERSION_1_DER = bytes.fromhex("020101")
_SHA256_DER = bytes.fromhex("300d06096086480165030402010500")
_SHA256_SET_DER = bytes.fromhex("310f") + _SHA256_DER
_ECDSA_SHA256_DER = bytes.fromhex("300a06082a8648ce3d040302")
_DATA_CONTENT_DER = bytes.fromhex("300b06092a864886f70d010701")


def _der_length(data: bytes, offset: int) -> tuple[int, int]:
    """(length, offset of the contents) of the DER length field at ``offset``; ValueError unless the
    length is definite and minimally encoded."""
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if count == 0 or count > 4 or offset + 1 + count > len(data):
        raise ValueError("indefinite or oversized DER length")
    length = int.from_bytes(data[offset + 1:offset + 1 + count], "big")
    if length < 0x80 or data[offset + 1] == 0:
        raise ValueError("non-minimal DER length")
    return length, offset + 1 + count


def _check_der(data: bytes, start: int, end: int) -> None:
    """Walk the TLVs in ``data[start:end]``; ValueError unless they are well-formed DER that exactly fill
    the range. (A full parse with asn1crypto would do too, but takes ~20 ms once pyHanko is imported.)"""
    offset = start
    while offset < end:
        tag = data[offset]
        if tag & 0x1F == 0x1F:
            raise ValueError("multi-byte tags are not used in CMS signatures")
        length, contents = _der_length(data, offset + 1)
        if contents + length > end:
            raise ValueError("DER value overruns its container")
        if tag & 0x20:  # constructed: its contents are TLVs again
            _check_der(data, contents, contents + length)
        offset = contents + length


def _signature_container_is_exact(contents: bytes) -> bool:
    """Whether ``/Contents`` holds exactly a signature as :func:`sign_pdf` writes it.

    The signature covers the signed attributes, and the signer's certificate is covered by its chain;
    but a CMS container also has fields nothing checks (version numbers, the digest algorithm set,
    algorithm parameters, the zero padding after the DER object), and lenient parsers accept altered
    tags there. So the container must be well-formed DER followed by zeros only, with every unchecked
    field byte-for-byte what we write.
    """
    try:
        if len(contents) < 2 or contents[0] != 0x30:
            return False
        length, body = _der_length(contents, 1)
        end = body + length
        if end > len(contents) or any(contents[end:]):
            return False
        _check_der(contents, 0, end)
        info = asn1_cms.ContentInfo.load(contents[:end])
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        if info["content_type"].native != "signed_data" or len(signer_infos) != 1:
            return False
        signer_info = signer_infos[0]
        certificates = signed_data["certificates"]
        return (
            signed_data["version"].dump() == _VERSION_1_DER
            and signed_data["digest_algorithms"].dump() == _SHA256_SET_DER
            and signed_data["encap_content_info"].dump() == _DATA_CONTENT_DER
            and len(certificates) == 1
            and isinstance(signed_data["crls"], asn1_core.Void)
            and signer_info["version"].dump() == _VERSION_1_DER
            and signer_info["digest_algorithm"].dump() == _SHA256_DER
            and signer_info["signature_algorithm"].dump() == _ECDSA_SHA256_DER
            and isinstance(signer_info["unsigned_attrs"], asn1_core.Void)
        )
    except (ValueError, TypeError, KeyError, IndexError):
        return False
