"""Who read my data (issue 20 item 3) on the demo city: a once-only fetch at submission is listed on
the applicant's page with the reading organization, the 信息项 and the case (linked: it is theirs);
another person does not see it; a question about a read reaches the organization's data steward and
the answer reaches the person; the answer's deadline counts working days over weekends and holidays."""

import datetime as dt
import hashlib
import hmac
import re

import pytest
from django.conf import settings
from django.utils import timezone

from egov.accounts.models import User
from egov.audit.actions import subject_key
from egov.audit.models import AuditEvent, SubjectRead
from egov.demo import DEMO_ENTERPRISE, demo_load
from egov.exchange.actions.inquiries import read_inquiries_remind, read_inquiry_due
from egov.exchange.models import ReadInquiry
from egov.facilities.models import Notification
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.services.actions.intake import intake_work
from egov.services.models import Application
from tests.test_once_only import MARKET, _enterprise, _food, _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    demo_load()


def _apply(client) -> tuple[User, str]:
    user = _enterprise(client)
    item, held = _food()
    answer = client.post(f"/services/{item.code}/apply/", _form(item, held))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    intake_work()  # 内网办理: the worker makes the case (and its once-only reads)
    return user, Application.objects.get(applicant=user).number


def _rows(html: str) -> list[str]:
    return html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]


def test_the_enterprise_sees_the_once_only_reads_with_organization_items_and_its_case(demo, client):
    user, number = _apply(client)
    html = client.get("/accounts/me/data-reads/").content.decode()
    rows = [row for row in _rows(html) if number in row]
    # Two reads at submission, both of 法人单位基础信息 by 市场监管局 for the 办件: the applicant's row
    # and the held 营业执照 (tests/test_once_only.py).
    assert len(rows) == 2
    for row in rows:
        assert MARKET in row and "法人单位基础信息" in row
        assert f'href="/services/applications/{number}/"' in row  # the case is the enterprise's own: linked
        # 信息项 by their catalog names (fixtures/demo_information_resources.json)
        assert "统一社会信用代码" in row and "法定代表人" in row
        assert "《优化营商环境条例》第三十五条" in row  # the legal basis
    # The rows are the enterprise's, under its USCC, and name the 办件.
    key = subject_key(DEMO_ENTERPRISE["uscc"])
    assert SubjectRead.objects.filter(subject=key, case=number, subject_kind="legal").count() == 2
    # Named by a keyed digest (HMAC-SHA256, RFC 2104), never the USCC itself.
    expected = hmac.new(settings.EGOV_SUBJECT_KEY.encode(), DEMO_ENTERPRISE["uscc"].encode(), hashlib.sha256)
    assert key == expected.hexdigest() and not SubjectRead.objects.filter(subject=DEMO_ENTERPRISE["uscc"]).exists()
    # Reading one's own list is not a read of anyone's data: nothing audited by the page.
    before = AuditEvent.objects.count()
    client.get("/accounts/me/data-reads/")
    assert AuditEvent.objects.count() == before
    # English
    client.cookies["django_language"] = "en"
    english = client.get("/accounts/me/data-reads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Who read my data" in english and "Unified social credit code" in english


def test_another_person_does_not_see_the_reads_and_cannot_ask_about_them(demo, client, citizen):
    _user, number = _apply(client)
    read = SubjectRead.objects.filter(case=number).first()
    # A verified citizen who does not act for the enterprise (张𠮷明, its agent in the demo, does see it).
    client.force_login(citizen.user)
    html = client.get("/accounts/me/data-reads/").content.decode()
    assert number not in html
    answer = client.post(f"/accounts/me/data-reads/{read.pk}/ask/", {"text": "?"})
    assert answer.status_code == 404 and not ReadInquiry.objects.exists()


def test_the_filters_narrow_by_organization_and_date(demo, client):
    _user, number = _apply(client)
    market = Organization.objects.get(name=MARKET)
    today = timezone.localdate()
    page = client.get("/accounts/me/data-reads/", {"organization": market.pk, "date_from": today, "date_to": today})
    assert len([row for row in _rows(page.content.decode()) if number in row]) == 2
    tomorrow = today + dt.timedelta(days=1)
    later = client.get("/accounts/me/data-reads/", {"date_from": tomorrow}).content.decode()
    assert number not in later and 'id="reads-none"' in later
    wrong = client.get("/accounts/me/data-reads/", {"date_from": tomorrow, "date_to": today})
    assert "The end date is before the start date." in wrong.content.decode() or "结束日期" in wrong.content.decode()


def test_a_question_reaches_the_reading_organization_and_its_answer_reaches_the_person(demo, client, make_staff):
    user, number = _apply(client)
    read = SubjectRead.objects.filter(case=number).order_by("pk").first()
    market = Organization.objects.get(name=MARKET)
    steward = make_staff(market, [Role.DATA_STEWARD])
    stranger = make_staff(Organization.objects.get(name="无锡市公安局"), [Role.DATA_STEWARD])

    asked = client.post(f"/accounts/me/data-reads/{read.pk}/ask/", {"text": "我没有办理过这个业务吗？"})
    assert asked.status_code == 302
    inquiry = ReadInquiry.objects.get()
    assert (inquiry.read_id, inquiry.asked_by_id, inquiry.organization_id) == (read.pk, user.pk, market.pk)
    assert inquiry.due_on == read_inquiry_due(timezone.localdate(inquiry.asked_at))
    assert client.post(f"/accounts/me/data-reads/{read.pk}/ask/", {"text": ""}).status_code == 302
    assert ReadInquiry.objects.count() == 1  # asking again is the same question
    assert Notification.objects.filter(recipient=steward, link_name="exchange_read_inquiries:inquiry",
                                       link_args=[str(inquiry.pk)]).exists()
    assert AuditEvent.objects.filter(action="exchange.read_inquiry.ask", object_id=str(inquiry.pk)).exists()

    # Another organization's steward neither sees nor answers it.
    client.force_login(stranger)
    assert client.get(f"/staff/exchange/read-inquiries/{inquiry.pk}/").status_code == 404
    assert client.post(f"/staff/exchange/read-inquiries/{inquiry.pk}/answer/", {"answer": "x"}).status_code == 404

    client.force_login(steward)
    listed = client.get("/staff/exchange/read-inquiries/").content.decode()
    assert f"/staff/exchange/read-inquiries/{inquiry.pk}/" in listed
    shown = client.get(f"/staff/exchange/read-inquiries/{inquiry.pk}/").content.decode()
    assert "我没有办理过这个业务吗？" in shown and number in shown
    # the reading organization by its English name on English pages (it was shown as recorded, in Chinese)
    english = client.get(f"/staff/exchange/read-inquiries/{inquiry.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert market.name_en and market.name_en in english and MARKET not in english
    empty = client.post(f"/staff/exchange/read-inquiries/{inquiry.pk}/answer/", {"answer": "  "})
    assert empty.status_code == 400
    answer = "您于本日申请食品经营许可，本局依《优化营商环境条例》第三十五条调取了营业执照信息。"
    done = client.post(f"/staff/exchange/read-inquiries/{inquiry.pk}/answer/", {"answer": answer})
    assert done.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "answered" and inquiry.answered_by_id == steward.pk
    assert client.post(f"/staff/exchange/read-inquiries/{inquiry.pk}/answer/", {"answer": "again"}).status_code == 409
    assert AuditEvent.objects.filter(action="exchange.read_inquiry.answer", object_id=str(inquiry.pk)).exists()

    client.force_login(user)
    assert Notification.objects.filter(recipient=user, link_name="exchange_reads:mine").exists()
    html = client.get("/accounts/me/data-reads/").content.decode()
    row = re.search(rf'<tr class="govuk-table__row" id="read-{read.pk}">.*?</tr>', html, re.S).group(0)
    assert answer in row


def test_the_deadline_counts_working_days_over_a_weekend_and_a_holiday(demo, settings):
    settings.EGOV_READ_INQUIRY_DAYS = 5
    # Friday 2025-11-07: Mon 10, Tue 11, Wed 12, Thu 13, Fri 14 — the weekend not counted.
    assert read_inquiry_due(dt.date(2025, 11, 7)) == dt.date(2025, 11, 14)
    # Tuesday 2025-09-30: 10-01…10-08 are 国庆节/中秋节 days off; 10-09 Thu, 10-10 Fri, 10-11 Sat
    # (调休, a working day: 国务院办公厅关于2025年部分节假日安排的通知), 10-13 Mon, 10-14 Tue.
    assert read_inquiry_due(dt.date(2025, 9, 30)) == dt.date(2025, 10, 14)


def test_the_organization_is_reminded_the_working_day_before_the_deadline(demo, client, make_staff):
    user, number = _apply(client)
    read = SubjectRead.objects.filter(case=number).first()
    steward = make_staff(Organization.objects.get(name=MARKET), [Role.DATA_STEWARD])
    client.post(f"/accounts/me/data-reads/{read.pk}/ask/", {"text": ""})
    ReadInquiry.objects.update(due_on=dt.date(2025, 10, 14))
    # Friday 10-10: 10-11 (调休), 10-13, 10-14 are three working days left: not yet.
    assert read_inquiries_remind(today=dt.date(2025, 10, 10)) == {"read_inquiries_reminded": 0}
    # Monday 10-13: one working day left: reminded, once.
    assert read_inquiries_remind(today=dt.date(2025, 10, 13)) == {"read_inquiries_reminded": 1}
    assert read_inquiries_remind(today=dt.date(2025, 10, 13)) == {"read_inquiries_reminded": 0}
    assert Notification.objects.filter(recipient=steward, link_name="exchange_read_inquiries:inquiry").count() == 2
