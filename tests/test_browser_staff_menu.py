"""The staff site's top menu in Debian's chromium on the demo city: one row at 1280 px in Chinese and
English with every link a staff member may hold (13: the operator's 受理队列 and the three credit
links), each link reached by Tab in order; at 390 px folded behind its Menu button, every link shown
when it is opened. Screenshots into ``EGOV_SCREENSHOTS`` when set."""

import pytest
from playwright.sync_api import expect

from egov.accounts.models import User
from egov.orgs.models import RoleAssignment
from egov.orgs.roles import Role
from tests.test_accessibility import _axe_problems, _shot
from tests.test_browser_portal import _staff, city  # noqa: F401 (the demo city fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_staff_menu_fits_one_row_at_1280_and_folds_at_390(city, browser):  # noqa: F811
    url, problems = city, []
    admin = User.objects.get(username="admin")  # 运维管理员: the intake queue; 信用管理员 too: the credit links
    RoleAssignment.objects.create(membership=admin.memberships.get(is_primary=True), role=Role.CREDIT_OFFICER)
    context, page = _staff(browser, url, "admin")
    items = page.locator(".govuk-service-navigation__item")
    for language in ("zh-hans", "en"):
        context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(url + "/staff/")
        expect(items).to_have_count(13)
        tops = {round(items.nth(i).bounding_box()["y"]) for i in range(13)}
        assert len(tops) == 1, (language, tops, [items.nth(i).inner_text() for i in range(13)])
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        links = page.locator(".govuk-service-navigation__link")
        links.first.focus()
        reached = [page.evaluate("document.activeElement.getAttribute('href')")]
        for _ in range(12):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
        assert reached == [links.nth(i).get_attribute("href") for i in range(13)]
        problems += [f"{language} 1280: {p}" for p in _axe_problems(page)]
        _shot(page, f"staff-menu-{language}-1280")
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(url + "/staff/")
        assert not any(items.nth(i).is_visible() for i in range(13))  # folded
        page.locator(".govuk-service-navigation__toggle").click()
        assert len({round(items.nth(i).bounding_box()["y"]) for i in range(13)}) == 13  # one per row, all shown
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        problems += [f"{language} 390: {p}" for p in _axe_problems(page)]
        _shot(page, f"staff-menu-{language}-390")
    context.close()
    assert problems == []
