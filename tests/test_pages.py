"""The public and staff home pages: Chinese by default, an English switch, accessible markup."""

import re

import pytest

from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_public_home_in_chinese_lists_the_organizations(client, city, department):
    OrganizationFactory(parent=city, name="无锡市梁溪区人民政府", kind="district", division_code="320213",
                        doc_code="梁政发", name_en="Liangxi District People's Government")
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    for name in ("无锡市人民政府", "无锡市行政审批局", "无锡市梁溪区人民政府"):
        assert name in html
    assert 'href="/accounts/register/person/"' in html and 'href="/accounts/register/legal-person/"' in html
    assert 'href="/accounts/login/"' in html
    # The first link of the page is the skip link to the main content, which can take focus.
    assert re.search(r"<a [^>]*href=\"([^\"]+)\"", html).group(1) == "#main"
    assert '<main id="main" tabindex="-1">' in html


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
    assert '<html lang="en">' in html
    assert "Wuxi Data Bureau" in html
    assert '<button type="submit" name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in html


def test_staff_home_shows_organization_and_roles(client, department, make_staff):
    clerk = make_staff(department, [Role.CLERK, Role.REVIEWER], name="窗口受理员李\U00020bb7")
    client.force_login(clerk)
    html = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Welcome, 窗口受理员李\U00020bb7" in html
    assert "<td>无锡市行政审批局</td>" in html
    assert '<span class="tag">Intake clerk</span>' in html and '<span class="tag">Reviewer</span>' in html


def test_health(client, city, department):
    assert client.get("/health").json() == {"status": "ok", "organizations": 2}
