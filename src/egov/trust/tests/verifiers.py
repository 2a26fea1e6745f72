"""The common verifiers a citizen's or an auditor's software uses, run on our signed PDFs: poppler's
``pdfsig`` (NSS, as in Evince, Okular and Firefox) and OpenSSL's ``cms -verify``, each trusting only the
platform root. Used by the trust, licence and 公文 tests."""

import io
import subprocess
from pathlib import Path

from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader


def _root_pem(root_der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(root_der).public_bytes(Encoding.PEM)


def nss_database(root_der: bytes, directory: Path) -> str:
    """A new NSS database in ``directory`` holding only the platform root, trusted as a CA for every use
    (``certutil -t CT,C,C``). Returns the ``sql:`` name pdfsig's ``-nssdir`` takes."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "root.pem").write_bytes(_root_pem(root_der))
    name = f"sql:{directory}"
    for args in (
        ["-N", "--empty-password"],
        ["-A", "-n", "egov-root", "-t", "CT,C,C", "-i", str(directory / "root.pem")],
    ):
        subprocess.run(["certutil", "-d", name, *args], check=True, capture_output=True, timeout=60)
    return name


def pdfsig(pdf: bytes, *, root_der: bytes, directory: Path, ocsp: bool = True) -> list[dict[str, str]]:
    """Run ``pdfsig`` on ``pdf`` with an NSS database holding only the root (``nss_database``).

    Returns one dict per signature with pdfsig's own words: ``{"signature": "Signature is Valid.",
    "certificate": "Certificate is Trusted.", ...}``. With ``ocsp`` (pdfsig's default) NSS asks the
    responder named in the certificate's AIA, so the caller's ``EGOV_PUBLIC_URL`` must answer.
    """
    database = nss_database(root_der, directory / "nss")
    (directory / "signed.pdf").write_bytes(pdf)
    args = ["pdfsig", "-nssdir", database, *([] if ocsp else ["-no-ocsp"]), str(directory / "signed.pdf")]
    result = subprocess.run(args, capture_output=True, timeout=120, text=True)
    signatures: list[dict[str, str]] = []
    for line in result.stdout.splitlines():
        if line.startswith("Signature #"):
            signatures.append({})
        elif line.strip().startswith("- ") and signatures and ": " in line:
            key, _, value = line.strip()[2:].partition(": ")
            signatures[-1][
                {"Signature Validation": "signature", "Certificate Validation": "certificate"}.get(key, key)
            ] = value
    assert signatures, result.stdout + result.stderr
    return signatures


def openssl_cms_verify(pdf: bytes, *, root_der: bytes, directory: Path, index: int = 0) -> subprocess.CompletedProcess:
    """Take the CMS SignedData out of signature ``index``'s ``/Contents`` and the signed bytes named by
    its ``/ByteRange`` (ISO 32000-1 §12.8.1), and run ``openssl cms -verify`` on them with the root as
    the only trust anchor and OpenSSL's default purpose check (smimesign). The result's returncode is 0
    when OpenSSL accepts both the signature and the certificate chain."""
    directory.mkdir(parents=True, exist_ok=True)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[index]
    (directory / "signature.der").write_bytes(
        cms.ContentInfo({"content_type": "signed_data", "content": signature.signed_data}).dump()
    )
    byte_range = list(signature.sig_object["/ByteRange"])
    (directory / "content.bin").write_bytes(
        b"".join(pdf[start : start + length] for start, length in zip(byte_range[::2], byte_range[1::2], strict=True))
    )
    (directory / "root.pem").write_bytes(_root_pem(root_der))
    return subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            str(directory / "signature.der"),
            "-binary",
            "-content",
            str(directory / "content.bin"),
            "-CAfile",
            str(directory / "root.pem"),
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        timeout=60,
        text=True,
    )
