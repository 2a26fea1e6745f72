"""Fixtures of the credit tests: a stand-in for the registers (the hook ``matching`` defines; the
project package's test covers the real registers) and the organizations that provide records."""

import pytest

from egov.credit import matching
from egov.orgs.roles import Role

# Codes checked by hand: GB 32100-2015 and GB 11643-1999 check characters (registries' test values).
ENTERPRISE = "913202137654321AB2"
PERSON = "320213199003071233"
UNKNOWN_ENTERPRISE = "91110000600037341L"  # GLOSSARY's example: valid, not in the registers here


@pytest.fixture
def registers():
    """The codes the registers know (a set the test may change); restores the wired matcher after."""
    known = {ENTERPRISE, PERSON}
    before = matching.matcher_get()
    matching.matcher_set(lambda *, subject_kind, code, organization, purpose: code in known)
    yield known
    matching.matcher_set(before)


@pytest.fixture
def market(city, make_staff):
    """市市场监管局 with a penalty approver."""
    from egov.orgs.tests.factories import OrganizationFactory

    organization = OrganizationFactory(name="无锡市市场监督管理局", parent=city, doc_code="锡市监")
    return organization


@pytest.fixture
def approver(market, make_staff):
    return make_staff(market, [Role.APPROVER])


@pytest.fixture
def credit_officer(city, make_staff):
    return make_staff(city, [Role.CREDIT_OFFICER])


@pytest.fixture
def enterprise(db):
    """The enterprise's own account (its USCC is the one the records name)."""
    from egov.accounts.tests.factories import LegalPersonFactory

    return LegalPersonFactory(uscc=ENTERPRISE, name="无锡示例科技有限公司")
