"""Fixtures of the portal tests: the documents tests' small city (Wuxi) and media root for the
政务公开 pages; an agency with its disclosure office for the 依申请公开 pages."""

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from egov.accounts.models import User
from egov.accounts.tests.factories import NaturalPersonFactory
from egov.documents.tests.conftest import media_root, wuxi  # noqa: F401 - fixtures
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory
from egov.portal import actions, actions_letters
from egov.portal.models import DisclosureRequest

STAFF_PASSWORD = "disclosure-test-2026"


@dataclass
class Office:
    """An agency with its disclosure office (an officer and the head), a member without an office
    role, another agency's officer, a citizen with an e-mail and another citizen."""

    agency: Organization
    other_agency: Organization
    officer: User
    head: User
    clerk: User
    other_officer: User
    citizen: User
    stranger: User

    def submit(self, **fields) -> DisclosureRequest:
        data = {"agency": self.agency, "description": "2026年无锡市财政预算执行情况的审计报告全文",
                "form_wanted": "electronic", "email": "zhang@example.cn", "phone": "13800000000",
                "idempotency_key": uuid.uuid4().hex}
        data.update(fields)
        return actions.request_submit(actor=self.citizen, **data)

    def registered(self, on: date, **fields) -> DisclosureRequest:
        return actions.request_register(actor=self.officer, request=self.submit(**fields), today=on)


@pytest.fixture
def office(city, make_staff) -> Office:
    agency = OrganizationFactory(name="无锡市财政局", parent=city, doc_code="锡财")
    other = OrganizationFactory(name="无锡市教育局", parent=city, doc_code="锡教")
    return Office(
        agency=agency, other_agency=other,
        officer=make_staff(agency, [Role.DISCLOSURE_OFFICER], username="gk-officer", password=STAFF_PASSWORD),
        head=make_staff(agency, [Role.DISCLOSURE_OFFICER, Role.DISCLOSURE_HEAD], username="gk-head"),
        clerk=make_staff(agency, [Role.CLERK], username="cz-clerk"),
        other_officer=make_staff(other, [Role.DISCLOSURE_OFFICER], username="jy-officer", password=STAFF_PASSWORD),
        citizen=NaturalPersonFactory(name="张𠮷明", email="zhang@example.cn").user,
        stranger=NaturalPersonFactory().user,
    )


@dataclass
class Mailbox:
    """市长信箱: the dispatcher at 市政府办公室, handlers of 市住建局 and 市城管局, a dispatcher-less
    clerk, a citizen (who writes) and another citizen."""

    office: Organization
    housing: Organization
    urban: Organization
    dispatcher: User
    handler: User
    other_handler: User
    clerk: User
    citizen: User
    stranger: User

    def write(self, **fields):
        data = {"topic": "complaint", "subject": "小区噪音扰民", "body": "每天早上五点菜市场开始装卸货，噪音很大。",
                "publish_consent": True, "idempotency_key": uuid.uuid4().hex}
        data.update(fields)
        return actions_letters.letter_write(actor=self.citizen, **data)


@pytest.fixture
def mailbox(city, make_staff) -> Mailbox:
    office = OrganizationFactory(name="无锡市人民政府办公室", parent=city, doc_code="锡政办")
    housing = OrganizationFactory(name="无锡市住房和城乡建设局", parent=city, doc_code="锡建",
                                  name_en="Wuxi Housing Bureau")
    urban = OrganizationFactory(name="无锡市城市管理局", parent=city, doc_code="锡城管")
    return Mailbox(
        office=office, housing=housing, urban=urban,
        dispatcher=make_staff(office, [Role.LETTER_DISPATCHER], username="xx-dispatcher", password=STAFF_PASSWORD),
        handler=make_staff(housing, [Role.LETTER_HANDLER], username="zj-handler", password=STAFF_PASSWORD),
        other_handler=make_staff(urban, [Role.LETTER_HANDLER], username="cg-handler", password=STAFF_PASSWORD),
        clerk=make_staff(housing, [Role.CLERK], username="zj-clerk"),
        citizen=NaturalPersonFactory(name="张𠮷明", email="zhang@example.cn", phone="13912345678").user,
        stranger=NaturalPersonFactory().user,
    )
