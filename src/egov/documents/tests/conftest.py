"""Fixtures of the documents tests: a small city (Wuxi) made through the real, audited actions."""

from dataclasses import dataclass

import pytest

from egov.accounts.actions import staff_user_create
from egov.accounts.models import User
from egov.documents.actions import document_draft
from egov.orgs.actions import organization_create
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.workflow.actions import process_definitions_install_shipped

PASSWORD = "documents-test-2026"


@dataclass
class City:
    """The municipal government, its office, three departments and staff with their roles."""

    government: Organization  # 无锡市人民政府, 锡政发
    office: Organization  # 无锡市人民政府办公室 (印发机关)
    finance: Organization  # 无锡市财政局 (主送)
    education: Organization  # 无锡市教育局 (主送)
    reform: Organization  # 无锡市发展和改革委员会 (抄送)
    police: Organization  # 无锡市公安局 (neither sender nor recipient)
    clerk: User  # 文书 of the government
    reviewer: User  # 核稿 of the government
    leader: User  # 签发 (approver) of the government
    finance_clerk: User
    police_clerk: User


def _staff(username: str, name: str, organization: Organization, role: Role) -> User:
    return staff_user_create(actor=None, username=username, name=name, password=PASSWORD,
                             organization=organization, roles=[role])


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def wuxi(db) -> City:
    process_definitions_install_shipped()
    government = organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200",
                                     doc_code="锡政发")
    department = {"kind": "department", "division_code": "320200", "parent": government}
    office = organization_create(actor=None, name="无锡市人民政府办公室", doc_code="锡政办发", **department)
    finance = organization_create(actor=None, name="无锡市财政局", doc_code="锡财", **department)
    education = organization_create(actor=None, name="无锡市教育局", doc_code="锡教", **department)
    reform = organization_create(actor=None, name="无锡市发展和改革委员会", doc_code="锡发改", **department)
    police = organization_create(actor=None, name="无锡市公安局", doc_code="锡公", **department)
    return City(
        government=government, office=office, finance=finance, education=education, reform=reform, police=police,
        clerk=_staff("gov-clerk", "文书刘芳", government, Role.DOCUMENT_CLERK),
        reviewer=_staff("gov-reviewer", "核稿人王𠮷", government, Role.REVIEWER),
        leader=_staff("gov-leader", "副市长赵强", government, Role.APPROVER),
        finance_clerk=_staff("fin-clerk", "财政文书", finance, Role.DOCUMENT_CLERK),
        police_clerk=_staff("police-clerk", "公安文书", police, Role.DOCUMENT_CLERK),
    )


@pytest.fixture
def draft(wuxi):
    """A 通知 of the government to two departments, copied to a third, printed by the office."""
    return document_draft(
        actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="无锡市人民政府关于加快推进电子政务建设的通知",
        body="一、总体要求\n（一）加强领导。各地各部门要高度重视。\n1.资金保障。",
        main_to=[wuxi.finance, wuxi.education], copy_to=[wuxi.reform], printer=wuxi.office,
        disclosure="proactive",
    )


def advance_to_registering(wuxi: City, document):
    """拟稿 → 核稿 → 签发 → 复核 → 登记, each step by the person whose role it is."""
    from egov.documents.actions import document_sign_off, document_transition

    document_transition(actor=wuxi.clerk, document=document, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=document, to="signing")
    document_sign_off(actor=wuxi.leader, document=document, mfa_verified=True)
    return document_transition(actor=wuxi.clerk, document=document, to="registering")


@pytest.fixture
def government_seal(wuxi):
    """The platform CA and the government's 公章, granted to its document clerks."""
    from egov.trust.actions import ca_init, seal_create, seal_grant

    ca_init(actor=None)
    seal = seal_create(actor=None, organization=wuxi.government, kind="official")
    seal_grant(actor=None, seal=seal, role=Role.DOCUMENT_CLERK)
    return seal


def leader_of(organization: Organization, username: str) -> User:
    """An approver (签发, 会签) of ``organization``: a 送会签 to it is refused without one."""
    return _staff(username, f"{organization.name}领导", organization, Role.APPROVER)
