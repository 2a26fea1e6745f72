"""Issue 19 item 3: a seal's or a staff member's signature is valid in the common verifiers, not only in
pyHanko. pdfsig (poppler over NSS) and OpenSSL ``cms -verify`` run with only the platform root trusted;
NSS asks our OCSP responder over HTTP, as a reader on a citizen's computer would."""

import pytest

from egov.trust.actions import ca_init, certificate_issue, seal_create
from egov.trust.signing import pdf_sign_personal, pdf_sign_with_seal
from egov.trust.tests.verifiers import openssl_cms_verify, pdfsig

VALID = {"signature": "Signature is Valid.", "certificate": "Certificate is Trusted."}


@pytest.fixture
def public_ca(reference_data, live_server, settings):
    """The platform CA with the live server as ``EGOV_PUBLIC_URL``: its certificates' AIA name an OCSP
    responder that answers."""
    settings.EGOV_PUBLIC_URL = live_server.url
    return ca_init(actor=None)


def _verdicts(report: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{key: signature.get(key) for key in VALID} for signature in report]


def test_a_sealed_pdf_is_valid_in_pdfsig_and_openssl(public_ca, organization, pdf, tmp_path):
    seal = seal_create(actor=None, organization=organization, kind="business")
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf, reason="审批通过").pdf
    root = bytes(public_ca.root.certificate.der)
    assert _verdicts(pdfsig(signed, root_der=root, directory=tmp_path / "pdfsig")) == [VALID]
    result = openssl_cms_verify(signed, root_der=root, directory=tmp_path / "cms")
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr


def test_a_revoked_seal_is_not_trusted_by_pdfsig(public_ca, organization, pdf, tmp_path):
    """The OCSP answer reaches NSS: the same file is refused once the seal's certificate is revoked."""
    from egov.trust.actions import certificate_revoke

    seal = seal_create(actor=None, organization=organization, kind="business")
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    report = pdfsig(signed, root_der=bytes(public_ca.root.certificate.der), directory=tmp_path)
    assert report[0]["signature"] == "Signature is Valid."
    assert report[0]["certificate"] == "Certificate has been Revoked."


def test_a_staff_signature_is_valid_in_pdfsig_and_openssl(public_ca, organization, pdf, tmp_path):
    from egov.accounts.actions import staff_user_create

    user = staff_user_create(
        actor=None,
        username="leader1",
        name="赵强",
        password="a-long-password-1",
        organization=organization,
        roles=["approver"],
    )
    certificate = certificate_issue(actor=None, purpose="staff", organization=organization, user=user)
    signed = pdf_sign_personal(actor=user, certificate=certificate, mfa_verified=True, pdf=pdf).pdf
    root = bytes(public_ca.root.certificate.der)
    assert _verdicts(pdfsig(signed, root_der=root, directory=tmp_path / "pdfsig")) == [VALID]
    assert openssl_cms_verify(signed, root_der=root, directory=tmp_path / "cms").returncode == 0
