"""The municipality's seal on a PDF: a PAdES signature (pyHanko) with the organisation certificate.

Baseline B-B: sha256, no timestamp server, no network. The seal proves which certificate sealed
the bytes and that they did not change since; the signing time in it is the server's own clock.

In production the key and certificate are the municipality's organisation certificate (e.g.
PKIoverheid), kept in a secret store; :func:`generate_dev_certificate` makes a self-signed stand-in
for development and tests. Pure functions taking paths: no Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

logger = logging.getLogger(__name__)

DEV_CERT_VALIDITY = dt.timedelta(days=730)


def generate_dev_certificate(
    key_path: Path, cert_path: Path, organisation: str = "Gemeente (ontwikkelcertificaat)"
) -> None:
    """Create a self-signed RSA-2048 key and X.509 certificate (valid 2 years), both PEM.

    Idempotent: existing files are kept. If only the key exists, a certificate is made for it; a
    certificate without its key is an error (it cannot be used, and it is not ours to replace).
    The key file is created with mode 0600.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = Path(key_path), Path(cert_path)
    if cert_path.exists():
        if not key_path.exists():
            raise FileNotFoundError(f"certificate {cert_path} exists but its key {key_path} does not")
        return
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    if key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)

    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, organisation),
    ])
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + DEV_CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    tmp = cert_path.with_name(cert_path.name + ".tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp.replace(cert_path)


def seal_pdf(
    pdf: bytes,
    key_path: Path,
    cert_path: Path,
    *,
    reason: str = "Gewaarmerkt door de gemeente",
    field_name: str = "GemeenteZegel",
) -> bytes:
    """Seal ``pdf`` (PAdES B-B, sha256, invisible signature field ``field_name``) as an incremental
    update: the original bytes stay a prefix of the result. Raises on an unreadable key or PDF."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:  # pyHanko logs the cause and returns None
        raise ValueError(f"cannot load seal key {key_path} or certificate {cert_path}")
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return _outside_event_loop(lambda: signers.sign_pdf(writer, metadata, signer=signer).getvalue())


def _outside_event_loop(call):
    """pyHanko's synchronous API calls ``asyncio.run``, which fails inside a running event loop (an
    async server, or Playwright's sync API in the browser tests): run it on a worker thread then."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@dataclass(frozen=True)
class SealCheck:
    """What a seal check found. ``ok`` is the one answer a verify page needs."""

    intact: bool  # the signed bytes hash to the digest in the signature
    valid: bool  # the signature is cryptographically valid and made by the configured certificate
    covers_whole_file: bool  # nothing was appended after sealing
    signer: str | None = None  # subject of the signing certificate
    error: str | None = None  # why it is not ok (None when ok)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.covers_whole_file


def _fail(error: str) -> SealCheck:
    return SealCheck(intact=False, valid=False, covers_whole_file=False, error=error)


def check_seal(pdf: bytes, cert_path: Path, *, field_name: str | None = None) -> SealCheck:
    """Check the seal of ``pdf`` against the certificate at ``cert_path`` (trusted as root).

    Checks the signature in field ``field_name`` (default: the last one). Never raises: unreadable
    input, an unsigned PDF or a broken signature give ``intact=False`` and an ``error`` text.
    Validation time is now: once the certificate has expired, a B-B seal no longer validates
    (a PAdES-T/LTA timestamp would be needed for that).
    """
    try:
        from pyhanko.keys import load_cert_from_pemder
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        trusted = load_cert_from_pemder(str(cert_path))
    except Exception as exc:  # a broken configuration is reported, not raised
        logger.warning("seal certificate %s unreadable: %s", cert_path, exc)
        return _fail(f"seal certificate unreadable: {exc}")

    try:
        if not isinstance(pdf, bytes | bytearray) or not pdf.startswith(b"%PDF-"):
            return _fail("not a PDF file")
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if field_name is not None:
            signatures = [s for s in signatures if s.field_name == field_name]
        if not signatures:
            return _fail("no seal (signature) found in the PDF")
        embedded = signatures[-1]
        status = _outside_event_loop(
            lambda: validate_pdf_signature(embedded, ValidationContext(trust_roots=[trusted])))
    except Exception as exc:  # garbage in must give an answer, not a 500
        return _fail(f"seal cannot be checked: {type(exc).__name__}: {exc}")

    signer_cert = status.signing_cert
    same_cert = signer_cert is not None and (
        hashlib.sha256(signer_cert.dump()).digest() == hashlib.sha256(trusted.dump()).digest())
    signer = signer_cert.subject.human_friendly if signer_cert is not None else None
    intact = bool(status.intact)
    valid = bool(intact and status.valid and status.trusted and same_cert)
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    error = None
    if not intact:
        error = "the sealed content was changed"
    elif not valid:
        error = ("sealed with another certificate" if not same_cert
                 else f"seal not valid: {status.summary()}")
    elif not covers:
        error = "the file was changed after sealing (bytes added after the seal)"
    return SealCheck(intact=intact, valid=valid, covers_whole_file=covers, signer=signer, error=error)
