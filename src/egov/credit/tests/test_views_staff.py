"""The staff form for a 行政处罚 through the Django client: who may see it, entering, errors on their
fields. Dates worked by hand on the 2025 schedule (see test_actions)."""

from datetime import date

import pytest
from freezegun import freeze_time

from egov.credit.models import CreditRecord, Kind, Status
from egov.credit.tests.conftest import ENTERPRISE, UNKNOWN_ENTERPRISE
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

FORM = "/staff/credit/penalties/new/"


@pytest.fixture
def officer(market, make_staff):
    """The market regulator's credit officer (enters its penalties; no second factor needed)."""
    return make_staff(market, [Role.CREDIT_OFFICER])


def _data(market, **changes):
    return {
        "provider": market.pk,
        "subject_kind": "legal",
        "subject_code": ENTERPRISE,
        "subject_name": "无锡示例科技有限公司",
        "severity": "general",
        "decision_document": "锡市监罚〔2025〕12号",
        "decided_on": "2025-09-26",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十六条",
        "legal_basis_en": "Article 126 of the Food Safety Law",
        "facts": "未按规定公示食品经营许可证；警告",
        "facts_en": "",
        **changes,
    }


def test_only_staff_who_enter_penalties_see_the_form(client, market, officer, make_staff, citizen):
    assert client.get(FORM).status_code == 302  # to the staff sign-in
    client.force_login(citizen.user)
    assert client.get(FORM).status_code == 302
    client.force_login(make_staff(market, [Role.CLERK]))
    assert client.get(FORM).status_code == 403
    client.force_login(officer)
    page = client.get(FORM, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "录入行政处罚" in page.content.decode() and 'name="subject_code"' in page.content.decode()


@freeze_time("2025-09-26 10:00:00+08:00")
def test_a_penalty_is_entered_and_published(client, registers, market, officer):
    client.force_login(officer)
    response = client.post(FORM, _data(market), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.redirect_chain == [(FORM, 302)]
    record = CreditRecord.objects.get()
    assert (record.kind, record.status, record.provider, record.entered_by) == (
        Kind.PENALTY,
        Status.PUBLISHED,
        market,
        officer,
    )
    # 一般: public until 1 year after the decision of 2025-09-26 (国办发〔2025〕22号 二; 民法典 §202).
    assert record.published_until == date(2026, 9, 26)
    assert "XY-20250926-0001" in response.content.decode() and "2026-09-26" in response.content.decode()


@freeze_time("2025-09-26 10:00:00+08:00")
def test_an_unknown_subject_is_held(client, registers, market, officer):
    client.force_login(officer)
    response = client.post(FORM, _data(market, subject_code=UNKNOWN_ENTERPRISE), follow=True)
    assert CreditRecord.objects.get().status == Status.HELD
    assert "记录待匹配，暂不公示" in response.content.decode()


@freeze_time("2025-09-26 10:00:00+08:00")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject_code": "913202137654321AB3"}, "subject_code"),  # the check character should be 2
        ({"decided_on": "2025-09-27"}, "decided_on"),  # tomorrow
        ({"legal_basis": "   "}, "legal_basis"),
        ({"severity": ""}, "severity"),
    ],
)
def test_errors_are_shown_on_their_fields(client, registers, market, officer, changes, field):
    client.force_login(officer)
    response = client.post(FORM, _data(market, **changes), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'href="#id_{field}' in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_an_organization_the_officer_does_not_belong_to_is_refused(client, registers, market, city, officer):
    client.force_login(officer)
    response = client.post(FORM, _data(market, provider=city.pk))
    assert response.status_code == 400 and list(response.context["form"].errors) == ["provider"]


LISTING = "/staff/credit/listings/new/"


def _listing(market, **changes):
    data = _data(market, **changes)
    data.pop("severity")
    return {
        **data,
        "kind": "serious",
        "decision_document": "锡市监严〔2025〕3号",
        "facts": "生产销售不符合食品安全标准的食品，情节严重",
        "measures": "限制参与政府采购、招标投标",
        "measures_en": "Barred from government procurement and tendering",
        **changes,
    }


@freeze_time("2025-09-26 10:00:00+08:00")
def test_a_listing_is_proposed_with_its_objection_window(client, registers, market, officer, make_staff):
    from egov.accounts.tests.factories import LegalPersonFactory
    from egov.facilities.models import Notification

    company = LegalPersonFactory(uscc=ENTERPRISE)
    client.force_login(make_staff(market, [Role.CLERK]))
    assert client.get(LISTING).status_code == 403
    client.force_login(officer)
    page = client.get(LISTING, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # The three lists to choose from, the measures asked for, no severity; 5 working days to object.
    for value in ("serious", "abnormal", "red"):
        assert f'value="{value}"' in page
    assert 'name="measures"' in page and 'name="severity"' not in page and "5 个工作日" in page
    response = client.post(LISTING, _listing(market), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.redirect_chain == [(LISTING, 302)]
    record = CreditRecord.objects.get()
    assert (record.kind, record.status, record.severity, record.entered_by) == (
        Kind.SERIOUS,
        Status.OBJECTION,
        "",
        officer,
    )
    assert (record.measures, record.measures_en) == (
        "限制参与政府采购、招标投标",
        "Barred from government procurement and tendering",
    )
    # 5 working days after Friday 2025-09-26: 9-28 (a Sunday worked), 9-29, 9-30, 10-09, 10-10.
    assert record.objection_until == date(2025, 10, 10)
    text = response.content.decode()
    assert "XY-20250926-0001" in text and "2025-10-10" in text and "严重失信主体名单" in text
    assert Notification.objects.filter(recipient=company.user, subject__contains="XY-20250926-0001").exists()


@freeze_time("2025-09-26 10:00:00+08:00")
def test_a_listing_of_an_unknown_subject_is_held(client, registers, market, officer):
    client.force_login(officer)
    response = client.post(
        LISTING, _listing(market, kind="red", subject_code=UNKNOWN_ENTERPRISE), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    record = CreditRecord.objects.get()
    assert (record.kind, record.status, record.objection_until) == (Kind.RED, Status.HELD, None)
    assert "held for matching" in response.content.decode()


@freeze_time("2025-09-26 10:00:00+08:00")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measures": "  "}, "measures"),
        ({"kind": "penalty"}, "kind"),  # not a list: penalties have their own form
        ({"decided_on": "2025-09-27"}, "decided_on"),
        ({"subject_code": "913202137654321AB3"}, "subject_code"),
    ],
)
def test_listing_errors_are_shown_on_their_fields(client, registers, market, officer, changes, field):
    client.force_login(officer)
    response = client.post(LISTING, _listing(market, **changes), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'href="#id_{field}' in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_the_staff_navigation_shows_only_the_credit_pages_one_may_use(client, market, officer, make_staff):
    # Tester's Low 3: the links led staff without the roles to 403.
    links = ('href="/staff/credit/penalties/new/"', 'href="/staff/credit/requests/"', 'href="/staff/credit/reports/"')

    def shown(user):
        client.force_login(user)
        page = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        return tuple(link in page for link in links)

    assert shown(make_staff(market, [Role.DOCUMENT_CLERK])) == (False, False, False)
    assert shown(make_staff(market, [Role.CLERK])) == (False, False, True)  # checks and reports only
    assert shown(make_staff(market, [Role.DATA_STEWARD])) == (True, False, False)  # enters only
    assert shown(officer) == (True, True, True)  # the credit officer: all three
