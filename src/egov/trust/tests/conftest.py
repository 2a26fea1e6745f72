"""Fixtures of the trust tests: a CA, an organization with a seal, one-page PDFs, PEM files for openssl."""

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from conftest import TEST_CA_PASSPHRASE as TEST_PASSPHRASE  # noqa: F401 (set in the environment there)


@pytest.fixture
def ca(db):
    from egov.trust.actions import ca_init

    return ca_init(actor=None)


@pytest.fixture
def organization(db):
    from egov.orgs.actions import organization_create

    return organization_create(actor=None, name="测试市行政审批局", kind="department", division_code="320200",
                               uscc="11320200MB00000259")


@pytest.fixture
def seal(ca, organization):
    from egov.trust.actions import seal_create

    return seal_create(actor=None, organization=organization, kind="business")


@pytest.fixture
def pdf() -> bytes:
    from egov.trust.pdf import pdf_one_page

    return pdf_one_page(lines=["Licence No. TEST-0001", "Holder: Example Co."])


def pem(certificate) -> bytes:
    """PEM of a ``Certificate`` row or a cryptography certificate."""
    cert = certificate if isinstance(certificate, x509.Certificate) else x509.load_der_x509_certificate(
        bytes(certificate.der))
    return cert.public_bytes(Encoding.PEM)


@pytest.fixture
def pki_files(ca, tmp_path) -> dict[str, Path]:
    """root.pem and issuing.pem in ``tmp_path`` (the trust anchor and the intermediate for openssl)."""
    files = {"root": tmp_path / "root.pem", "issuing": tmp_path / "issuing.pem"}
    files["root"].write_bytes(pem(ca.root.certificate))
    files["issuing"].write_bytes(pem(ca.issuing.certificate))
    return files


def openssl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the system's openssl (a tool we did not write) and return its result, output as text."""
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, timeout=60)
