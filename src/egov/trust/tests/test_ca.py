"""The CA's certificates and CRLs, checked with openssl and against RFC 5280 profiles."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from django.core.management import CommandError

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.trust.actions import (
    ca_init,
    certificate_issue,
    certificate_renew,
    certificate_revoke,
    crl_publish,
    seal_create,
)
from egov.trust.models import Certificate, CertificateAuthority
from egov.trust.selectors import certificate_x509, certificates_expiring, service_certificate
from egov.trust.tests.conftest import openssl, pem

DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # RFC 9336


def test_init_creates_root_issuing_tsa_ocsp_and_is_idempotent(ca):
    assert ca.created
    assert CertificateAuthority.objects.count() == 2
    again = ca_init(actor=None)
    assert not again.created and again.root.pk == ca.root.pk
    assert Certificate.objects.filter(purpose="tsa").count() == 1
    assert Certificate.objects.filter(purpose="ocsp").count() == 1
    assert AuditEvent.objects.filter(action="trust.ca.init").count() == 1


def test_root_and_issuing_ca_profiles(ca):
    root = certificate_x509(ca.root.certificate)
    issuing = certificate_x509(ca.issuing.certificate)
    assert root.subject == root.issuer
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    constraints = issuing.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = issuing.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign and not usage.value.digital_signature
    points = issuing.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == "http://127.0.0.1:8000/trust/crl/root.crl"


def test_openssl_verifies_every_chain_with_the_right_purpose(ca, seal, organization, tmp_path, pki_files):
    node = certificate_issue(actor=None, purpose="node", organization=organization, dns_names=("node1.example.gov.cn",))
    cases = [
        (seal.certificate, "any"),
        (seal.certificate, "smimesign"),  # OpenSSL's default purpose for cms -verify
        (node, "sslserver"),
        (node, "sslclient"),
        (service_certificate(purpose="tsa"), "timestampsign"),
        (service_certificate(purpose="ocsp"), "any"),
    ]
    for certificate, purpose in cases:
        leaf = tmp_path / f"{certificate.serial}.pem"
        leaf.write_bytes(pem(certificate))
        result = openssl("verify", "-CAfile", str(pki_files["root"]), "-untrusted", str(pki_files["issuing"]),
                         "-purpose", purpose, str(leaf))
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().strip().endswith(": OK")


def test_seal_tsa_and_ocsp_certificates_carry_their_key_usages(seal):
    cert = certificate_x509(seal.certificate)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    # documentSigning names the purpose (RFC 9336); emailProtection is what NSS and OpenSSL look for in a
    # CMS signer (issue 19: without it pdfsig reported "Unknown issue with Certificate").
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    names = {a.oid.dotted_string: a.value for a in cert.subject}
    assert names["2.5.4.97"] == "11320200MB00000259"  # organizationIdentifier: the USCC
    tsa = certificate_x509(service_certificate(purpose="tsa"))
    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]  # RFC 3161 §2.3
    ocsp = certificate_x509(service_certificate(purpose="ocsp"))
    assert list(ocsp.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.OCSP_SIGNING]
    ocsp.extensions.get_extension_for_class(x509.OCSPNoCheck)


def test_revocation_is_listed_in_a_signed_crl_that_openssl_accepts(seal, tmp_path, pki_files):
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    issuing = CertificateAuthority.objects.get(slug="issuing-1")
    crl_file = tmp_path / "issuing.crl"
    crl_file.write_bytes(bytes(issuing.crl_der))
    text = openssl("crl", "-inform", "DER", "-in", str(crl_file), "-CAfile", str(pki_files["issuing"]),
                   "-noout", "-text")
    assert text.returncode == 0, text.stderr
    assert b"verify OK" in text.stderr + text.stdout
    crl = x509.load_der_x509_crl(bytes(issuing.crl_der))
    entry = crl.get_revoked_certificate_by_serial_number(int(seal.certificate.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
    assert "Key Compromise" in text.stdout.decode()
    # openssl verify with the CRL now refuses the certificate (X509_V_ERR_CERT_REVOKED, error 23).
    crl_pem = tmp_path / "crls.pem"
    root = CertificateAuthority.objects.get(slug="root")
    parts = []
    for der in (bytes(issuing.crl_der), bytes(root.crl_der)):
        parts.append(x509.load_der_x509_crl(der).public_bytes(Encoding.PEM))
    crl_pem.write_bytes(b"".join(parts))
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(pem(seal.certificate))
    result = openssl("verify", "-crl_check_all", "-CRLfile", str(crl_pem), "-CAfile", str(pki_files["root"]),
                     "-untrusted", str(pki_files["issuing"]), str(leaf))
    assert result.returncode != 0
    assert b"certificate revoked" in result.stdout + result.stderr


def test_revoke_twice_and_unknown_reason_and_root(seal, ca):
    with pytest.raises(ValidationFailed) as error:
        certificate_revoke(actor=None, certificate=seal.certificate, reason="because")
    assert error.value.extra == {"field": "reason", "rule": "choice"}
    certificate_revoke(actor=None, certificate=seal.certificate, reason="superseded")
    with pytest.raises(Conflict):
        certificate_revoke(actor=None, certificate=Certificate.objects.get(pk=seal.certificate.pk),
                           reason="superseded")
    with pytest.raises(ValidationFailed):
        certificate_revoke(actor=None, certificate=ca.root.certificate, reason="superseded")


def test_only_operators_revoke(seal, organization):
    from egov.accounts.actions import staff_user_create

    clerk = staff_user_create(actor=None, username="clerk1", name="窗口", password="a-long-password-1",
                              organization=organization, roles=["clerk"])
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=clerk, certificate=seal.certificate, reason="superseded")
    assert not Certificate.objects.get(pk=seal.certificate.pk).is_revoked


def test_crl_numbers_increase(ca):
    issuing = CertificateAuthority.objects.get(pk=ca.issuing.pk)
    assert issuing.crl_number == 1  # published once by init
    crl_publish(authority=issuing)
    crl = x509.load_der_x509_crl(bytes(CertificateAuthority.objects.get(pk=ca.issuing.pk).crl_der))
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


def test_renewal_moves_the_seal_and_keeps_the_subject(seal):
    old = seal.certificate
    renewed = certificate_renew(actor=None, certificate=old)
    seal.refresh_from_db()
    assert seal.certificate_id == renewed.pk and renewed.renewed_from_id == old.pk
    assert certificate_x509(renewed).subject == certificate_x509(old).subject
    assert renewed.serial != old.serial
    with pytest.raises(Conflict):
        certificate_renew(actor=None, certificate=old)


def test_expiry_warnings_list_certificates_due_within_the_window(ca, organization):
    node = certificate_issue(actor=None, purpose="node", organization=organization, dns_names=("n.example",), days=10)
    assert node in list(certificates_expiring(within_days=30))
    assert node not in list(certificates_expiring(within_days=5))
    renewed = certificate_renew(actor=None, certificate=node)
    assert node not in list(certificates_expiring(within_days=30))
    assert renewed not in list(certificates_expiring(within_days=30))


def test_daily_task_mails_the_operators_the_expiring_certificates(ca, organization, mailoutbox):
    from egov.accounts.actions import staff_user_create
    from egov.orgs.actions import organization_create
    from egov.trust.tasks import warn_expiring

    root = organization_create(actor=None, name="测试市人民政府", kind="government", division_code="320200")
    staff_user_create(actor=None, username="ops", name="运维", password="ops-password-2026", organization=root,
                      roles=["operator"], email="ops@example.gov.cn")
    staff_user_create(actor=None, username="clerk", name="窗口", password="clerk-password-2026", organization=root,
                      roles=["clerk"], email="clerk@example.gov.cn")
    assert warn_expiring.delay().get() == 0  # the CA's own certificates run for years
    assert mailoutbox == []
    node = certificate_issue(actor=None, purpose="node", organization=organization, dns_names=("n.example",), days=10)
    assert warn_expiring.delay().get() == 1
    (mail,) = mailoutbox
    assert mail.to == ["ops@example.gov.cn"]
    assert str(node) in mail.body
    event = AuditEvent.objects.filter(action="trust.certificate.expiry_warning").get()
    assert event.changes == {"certificates": [node.pk], "recipients": 1}
    # Run again the same day (delivered again after its worker was killed): nothing more is sent.
    assert warn_expiring.delay().get() == 0
    assert len(mailoutbox) == 1 and AuditEvent.objects.filter(action="trust.certificate.expiry_warning").count() == 1


def test_renew_outdated_gives_older_seal_and_staff_certificates_the_current_profile(ca, seal, organization,
                                                                                   monkeypatch, capsys):
    """Issue 19: certificates issued before seal and staff certificates carried emailProtection are
    refused by pdfsig and OpenSSL; ``egov trust renew --outdated`` renews each of them once."""
    from django.core.management import call_command

    from egov.trust import profiles
    from egov.trust.selectors import certificates_with_an_outdated_signer_profile

    current = seal.certificate
    monkeypatch.setattr(profiles, "SIGNER_EKU", (DOCUMENT_SIGNING,))  # the profile before issue 19
    old_seal = seal_create(actor=None, organization=organization, kind="contract")
    monkeypatch.undo()
    old = old_seal.certificate
    assert list(certificate_x509(old).extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        DOCUMENT_SIGNING]
    assert certificates_with_an_outdated_signer_profile() == [old]
    call_command("trust", "renew", "--outdated")
    assert "1 certificate(s) renewed" in capsys.readouterr().out
    old_seal.refresh_from_db()
    assert old_seal.certificate.renewed_from_id == old.pk
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in certificate_x509(old_seal.certificate).extensions \
        .get_extension_for_class(x509.ExtendedKeyUsage).value
    seal.refresh_from_db()
    assert seal.certificate_id == current.pk  # already current: left alone
    assert certificates_with_an_outdated_signer_profile() == []
    call_command("trust", "renew", "--outdated")
    assert "0 certificate(s) renewed" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("trust", "renew")
