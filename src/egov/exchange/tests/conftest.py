"""Fixtures of the exchange tests: a platform CA, organizations with USCCs, node identities."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from conftest import TEST_CA_PASSPHRASE  # noqa: F401 (sets EGOV_CA_PASSPHRASE)

# Unified social credit codes with their GB 32100-2015 check characters (checked with stdnum.cn.uscc).
PROVIDER_CODE = "11320200MB0000101G"  # 无锡市公安局 (test)
CONSUMER_CODE = "11320200MB0000102K"  # 无锡市行政审批局 (test)
STRANGER_CODE = "11320200MB0000103N"  # an organization holding no grant


@pytest.fixture
def ca(db):
    from egov.trust.actions import ca_init

    return ca_init(actor=None)


def _organization(name: str, code: str):
    from egov.orgs.actions import organization_create

    return organization_create(actor=None, name=name, kind="department", division_code="320200", uscc=code)


@pytest.fixture
def provider_org(db):
    return _organization("无锡市公安局", PROVIDER_CODE)


@pytest.fixture
def consumer_org(db):
    return _organization("无锡市行政审批局", CONSUMER_CODE)


def csr_for(host: str) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
           .sign(key, hashes.SHA256()))
    return key, csr.public_bytes(Encoding.PEM)


def signer_for(organization, host: str):
    """A node ``Signer`` for ``organization`` whose certificate the platform CA issued from a CSR."""
    from egov.exchange.envelope import Signer
    from egov.trust.actions import node_certificate_issue_for_csr
    from egov.trust.selectors import certificate_x509, issuing_authority

    key, csr = csr_for(host)
    row = node_certificate_issue_for_csr(actor=None, organization=organization, csr_pem=csr)
    chain = (certificate_x509(row), certificate_x509(issuing_authority().certificate))
    return Signer(code=organization.uscc, key=key, chain=chain), row


# Sharing requests (test_sharing.py, test_views_sharing.py, test_api_sharing.py): the population
# resource of test_catalog.py, the consumer's and the provider's data stewards, a clerk, a stranger.


@pytest.fixture
def resource(provider_org, consumer_org):
    from egov.exchange.actions import catalog_import
    from egov.exchange.models import InformationResource
    from egov.exchange.tests.test_catalog import PERSON

    catalog_import(actor=None, data={"resources": [PERSON]})
    return InformationResource.objects.get(code=PERSON["code"])


@pytest.fixture
def people(provider_org, consumer_org, make_staff):
    from egov.orgs.roles import Role
    from egov.orgs.tests.factories import OrganizationFactory

    other = OrganizationFactory(name="无锡市统计局")
    return {
        "asker": make_staff(consumer_org, [Role.DATA_STEWARD], username="shenpi-data"),
        "decider": make_staff(provider_org, [Role.DATA_STEWARD], username="gaj-data"),
        "clerk": make_staff(provider_org, [Role.CLERK], username="gaj-clerk"),
        "stranger": make_staff(other, [Role.DATA_STEWARD], username="other-data"),
    }
