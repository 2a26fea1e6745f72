from dataclasses import dataclass

import pytest

from egov.accounts.actions import staff_user_create
from egov.accounts.models import User
from egov.accounts.tests.factories import NaturalPersonFactory
from egov.orgs.actions import organization_create
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.services.models import ServiceItem
from egov.services.tests.factories import make_item, make_organization
from egov.workflow.actions import process_definitions_install_shipped

STAFF_PASSWORD = "casework-test-2026"


@pytest.fixture
def organization(db):
    return make_organization()


@pytest.fixture
def item(organization):
    return make_item(organization)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Casework:
    """An implementing organization with its item and staff, a joint reviewer, an unrelated
    organization, and two citizens."""

    bureau: Organization
    planning: Organization
    other: Organization
    item: ServiceItem
    staff: dict[str, User]
    citizen: User
    stranger: User


@pytest.fixture
def casework(db, media_root) -> Casework:
    process_definitions_install_shipped()
    bureau = make_organization()
    planning = organization_create(actor=None, name="无锡市自然资源和规划局", kind="department",
                                   division_code="320200")
    other = organization_create(actor=None, name="无锡市另一局", kind="department", division_code="320200")
    people = [("clerk", bureau, [Role.CLERK]), ("reviewer", bureau, [Role.REVIEWER]),
              ("approver", bureau, [Role.APPROVER]), ("planner", planning, [Role.REVIEWER]),
              ("other_clerk", other, [Role.CLERK]), ("other_reviewer", other, [Role.REVIEWER])]
    staff = {username: staff_user_create(actor=None, username=username, name=f"测试{username}",
                                         password=STAFF_PASSWORD, organization=org, roles=roles)
             for username, org, roles in people}
    return Casework(bureau=bureau, planning=planning, other=other, item=make_item(bureau, promised_limit_days=2,
                                                                                  legal_limit_days=3),
                    staff=staff, citizen=NaturalPersonFactory().user, stranger=NaturalPersonFactory().user)


@dataclass
class Hall:
    """``casework`` with a platform CA, a 业务专用章 of the bureau, its item issuing a 5-year licence, and
    a citizen named with characters of CJK Extensions B (𠮷 U+20BB7) and C (U+2A700) with an e-mail."""

    casework: Casework
    citizen: User

    def concluded(self, *, approve: bool = True, key: str = "hall-case-0001"):
        """A case of the citizen run to 办结 (approved: with its licence)."""
        from egov.services.actions import processing
        from egov.services.tests.factories import submit

        staff = self.casework.staff
        case = submit(self.casework.item, self.citizen, key=key)
        processing.application_receive(actor=staff["clerk"], application=case)
        processing.application_accept(actor=staff["clerk"], application=case)
        processing.application_review(actor=staff["reviewer"], application=case)
        processing.application_decide(actor=staff["approver"], application=case, approve=approve,
                                      reasons="" if approve else "条件不符")
        return processing.application_conclude(actor=staff["clerk"], application=case)


HALL_CITIZEN_NAME = "张𠮷\U0002A700"


@pytest.fixture
def hall(casework) -> Hall:
    from egov.accounts.actions import natural_person_register
    from egov.accounts.tests.factories import make_verified
    from egov.trust.actions import ca_init, seal_create

    ca_init(actor=None)
    seal_create(actor=None, organization=casework.bureau, kind="business")
    ServiceItem.objects.filter(pk=casework.item.pk).update(issues_licence=True, licence_name="营业执照",
                                                           licence_valid_years=5)
    casework.item.refresh_from_db()
    citizen = make_verified(natural_person_register(id_number="11010519491231002X", name=HALL_CITIZEN_NAME,
                                                    password=STAFF_PASSWORD, email="zhang@example.cn").user)
    return Hall(casework=casework, citizen=citizen)
