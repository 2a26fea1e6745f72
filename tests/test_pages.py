"""The public and staff home pages: Chinese by default, an English switch, accessible markup."""

import re

import pytest
from django.core.cache import caches

from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_public_home_in_chinese_lists_the_organizations(client, city, department):
    OrganizationFactory(parent=city, name="无锡市梁溪区人民政府", kind="district", division_code="320213",
                        doc_code="梁政发", name_en="Liangxi District People's Government")
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans" ' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    for name in ("无锡市人民政府", "无锡市行政审批局", "无锡市梁溪区人民政府"):
        assert name in html
    assert 'href="/accounts/register/person/"' in html and 'href="/accounts/register/legal-person/"' in html
    assert 'href="/accounts/login/"' in html
    # The first link of the page is the skip link to the main content, which can take focus.
    assert re.search(r"<a [^>]*href=\"([^\"]+)\"", html).group(1) == "#main"
    assert '<main class="govuk-main-wrapper" id="main" tabindex="-1">' in html


def test_signed_in_public_home_offers_no_registration_or_sign_in(client, city, citizen):
    """Found by a tester: the signed-in home page still offered 注册 and 登录."""
    client.force_login(citizen.user)
    html = client.get("/").content.decode()
    for link in ('href="/accounts/register/person/"', 'href="/accounts/register/legal-person/"',
                 'href="/accounts/login/"'):
        assert link not in html, link
    assert 'href="/services/applications/"' in html


def test_english_switch(client, city):
    OrganizationFactory(parent=city, name="无锡市数据局", name_en="Wuxi Data Bureau")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en" ' in html
    assert "Wuxi Data Bureau" in html
    assert ('<button type="submit" class="egov-header__button" name="language" value="zh-hans" lang="zh-hans">'
            '简体中文</button>') in html


def test_staff_home_shows_organization_and_roles(client, department, make_staff):
    clerk = make_staff(department, [Role.CLERK, Role.REVIEWER], name="窗口受理员李\U00020bb7")
    client.force_login(clerk)
    html = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Welcome, 窗口受理员李\U00020bb7" in html
    assert '<td class="govuk-table__cell" data-label="Organization">无锡市行政审批局</td>' in html
    assert '<span class="govuk-tag">Intake clerk</span>' in html and '<span class="govuk-tag">Reviewer</span>' in html


def test_health(client, city, department):
    assert client.get("/health").json() == {"status": "ok", "organizations": 2}


def test_signed_in_home_offers_no_registration_and_counts_unread_notifications(client, city, citizen):
    from egov.facilities.notifications import notification_send, notifications_mark_read

    notices = [notification_send(recipient=citizen.user, subject=f"通知{n}", body="正文") for n in range(3)]
    notifications_mark_read(user=citizen.user, notification_id=notices[0].pk)
    client.force_login(citizen.user)
    html = client.get("/").content.decode()
    assert 'href="/accounts/register/person/"' not in html and 'href="/accounts/login/"' not in html
    assert 'href="/services/applications/"' in html
    # Two of three unread: the number in the header, and said in words for screen readers.
    assert '<span class="egov-count" aria-hidden="true">2</span>' in html
    assert '<span class="govuk-visually-hidden">（2 条未读）</span>' in html
    # 个人办事 / 法人办事 and the ratings statistics are reached from the home page.
    assert 'href="/services/?audience=natural"' in html and 'href="/services/?audience=legal"' in html
    assert 'href="/services/ratings/"' in html


def test_header_names_the_city_and_the_footer_the_hotline(client, settings):
    settings.EGOV_CITY_NAME = "示例市"
    settings.EGOV_EMBLEM_URL = "/static/emblem.svg"
    settings.EGOV_CONTACT_EMAIL = "12345@example.cn"
    html = client.get("/").content.decode()
    assert '<span class="egov-header__city">示例市</span>' in html
    assert '<img class="egov-header__emblem" src="/static/emblem.svg" alt=""' in html
    assert '政务服务便民热线 <a class="govuk-footer__link" href="tel:12345">12345</a>' in html
    assert 'href="mailto:12345@example.cn"' in html
    settings.EGOV_EMBLEM_URL = ""  # the default: no image
    caches["default"].clear()  # an anonymous visitor's home page is cached (portal.pages_cache)
    assert "egov-header__emblem" not in client.get("/").content.decode()


def test_favicon(client):
    """Found by a tester: /favicon.ico was 404. It is served on both sites and the pages link it."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and int.from_bytes(body[4:6], "little") == 3  # ICO, 16, 32 and 48 px
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/egov/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in html
