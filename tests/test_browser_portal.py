"""Issue 21's "done when", in Debian chromium on the demo city:

- the municipal government's web editor drafts a news page in Wagtail's admin (/staff/cms/) with a
  go-live time in the future and submits it; its reviewer (another user) approves it from the
  dashboard; it is not public yet; the platform's beat task (``portal.tasks.pages_publish_scheduled``,
  run here as beat would once the time has passed) publishes it: it is at its URL and in /news/;
- a visitor searches (/search/?q=…) and finds it, opens a disclosed document from the search, then a
  service item's guide from the search, and applies from it as the signed-in demo citizen (the intake
  worker ``intake_work()`` makes the case);
- the citizen writes to the mayor, 市长信箱's dispatcher routes the letter, 住建局's handler answers,
  the dispatcher publishes it, the citizen reads the published answer;
- axe-core finds no serious or critical violation on these public pages.
"""

import datetime
import time

import pytest
from django.utils import timezone
from freezegun import freeze_time
from playwright.sync_api import expect

from egov.accounts.models import User
from egov.demo import DEMO_BACKUP_CODES, DEMO_CITIZEN, DEMO_PASSWORD, demo_load
from egov.documents.selectors import documents_published
from egov.orgs.models import Organization
from egov.portal import tasks
from egov.portal.models_letters import Letter
from egov.portal.models_pages import NewsPage, OrganizationPage
from egov.services.actions.intake import intake_work
from egov.services.models import Application, ServiceItem
from tests.test_accessibility import FULL_COMPANY, PDF, _axe_problems, _context, _in_a_thread, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "无锡市启用城市数字孪生平台"
SUMMARY = "城市数字孪生平台今日启用，市民可在门户网站查看。"


@pytest.fixture
def city(reference_data, live_server, settings, tmp_path):
    """The demo city on the live server (its pages tree, documents, items, letter staff)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo citizen wrote the demo's letters at load time, a moment ago: without this their next
    # letter would be throttled (the flood limit is tested in portal.tests.test_letters).
    settings.EGOV_LETTERS_PER_ACCOUNT_HOUR = settings.EGOV_LETTERS_PER_ACCOUNT_DAY = 20
    _in_a_thread(demo_load)
    return live_server.url


def _staff(browser, url, username):
    context, page = _context(browser)
    page.goto(url + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if page.locator("#id_token").count():
        page.fill("#id_token", DEMO_BACKUP_CODES[0])
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1").first).to_be_visible()
    return context, page


def _axe(page, problems):
    problems.extend(f"{page.url}: {line}" for line in _axe_problems(page))


def _wait_for(check, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError("waited in vain")


def test_editor_reviewer_schedule_search_apply_and_letter(city, browser):
    url, problems = city, []
    section = OrganizationPage.objects.get(organization__name="无锡市人民政府")

    # The editor drafts the news page with a go-live time a little ahead (whole minutes: the widget's format).
    go_live = (timezone.localtime() + datetime.timedelta(minutes=2)).replace(second=0, microsecond=0)
    context, desk = _staff(browser, url, "webeditor")
    desk.goto(f"{url}/staff/cms/pages/add/portal/newspage/{section.pk}/")
    desk.fill("#id_title", TITLE)
    desk.fill("#id_summary", SUMMARY)
    desk.locator(".Draftail-Editor [contenteditable=true]").first.click()
    desk.keyboard.type("市大数据中心建设的城市数字孪生平台今日启用。")
    desk.locator('button[data-side-panel-toggle="status"]').click()
    desk.locator('[data-a11y-dialog-show="schedule-publishing-dialog"]').first.click()
    desk.fill("#id_go_live_at", go_live.strftime("%Y-%m-%d %H:%M"))
    desk.locator("#schedule-publishing-dialog button.action-save").click()
    _wait_for(lambda: NewsPage.objects.filter(title=TITLE).exists())
    news = NewsPage.objects.get(title=TITLE)
    expect(desk.locator('button[name="action-submit"]')).to_have_count(1)
    submit = desk.locator('button[name="action-submit"]')
    if not submit.is_visible():
        desk.locator('.w-dropdown:has(button[name="action-submit"]) [data-w-dropdown-target="toggle"]').click()
    submit.click()
    _wait_for(lambda: NewsPage.objects.get(pk=news.pk).workflow_in_progress)
    news.refresh_from_db()
    assert news.live is False and news.get_latest_revision().user.username == "webeditor"
    context.close()

    # Another user, the organization's reviewer, approves it from the CMS dashboard.
    context, desk = _staff(browser, url, "webreviewer")
    desk.goto(f"{url}/staff/cms/")
    approve = desk.locator(f'button[data-workflow-action-url*="/action/{news.pk}/approve/"]:not([data-launch-modal])')
    expect(approve).to_have_count(1)
    if not approve.is_visible():  # in the row's drop-down of actions
        desk.locator(f'.w-dropdown:has(button[data-workflow-action-url*="/action/{news.pk}/approve/"])'
                     f' [data-w-dropdown-target="toggle"]').click()
    approve.click()
    _wait_for(lambda: NewsPage.objects.get(pk=news.pk).get_latest_revision().approved_go_live_at is not None)
    context.close()
    news.refresh_from_db()
    assert news.live is False

    visitor_context, page = _context(browser)
    path = news.url
    assert page.goto(url + path).status == 404
    page.goto(url + "/news/")
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # The go-live time passes; the platform's beat task publishes it.
    with freeze_time(go_live + datetime.timedelta(seconds=5)):
        assert tasks.pages_publish_scheduled()["published"] == 1
    response = page.goto(url + path)
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(TITLE)
    _axe(page, problems)
    page.goto(url + "/news/")
    expect(page.locator(f'main a[href="{path}"]')).to_have_text(TITLE)
    _axe(page, problems)

    # A visitor searches and finds it; then a disclosed document; then a service item's guide and applies.
    page.goto(url + "/search/?q=" + "数字孪生平台")
    expect(page.locator(f'main a[href="{path}"]').first).to_be_visible()
    _axe(page, problems)
    _shot(page, "search-page-zh")
    document = documents_published().first()
    page.goto(url + "/search/?q=" + document.title)
    page.locator(f'main a[href="/disclosure/{document.pk}/"]').first.click()
    expect(page.locator("h1")).to_contain_text(document.title)
    _axe(page, problems)
    item = ServiceItem.objects.get(name="企业设立登记", parent__isnull=True)
    page.goto(url + "/search/?q=qysldj")  # its initials (企业设立登记)
    page.locator(f'main a[href="/services/{item.code}/"]').first.click()
    expect(page.locator("h1")).to_contain_text(item.name)
    _axe(page, problems)
    page.locator(f'main a[href="/services/{item.code}/apply/"]').first.click()
    page.fill("#id_username", DEMO_CITIZEN["id_number"])
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_form-company_name")).to_be_visible()
    _axe(page, problems)
    for name, value in FULL_COMPANY.items():
        if name == "commitment":
            page.check("#id_form-commitment")
        elif name == "company_type":
            page.select_option("#id_form-company_type", value)
        else:
            page.fill(f"#id_form-{name}", str(value))
    for index, field in enumerate(page.locator("main input[type=file][required]").all()):
        field.set_input_files({"name": f"材料{index}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.locator("main form button[type=submit]").last.click()
    page.locator("#receipt").wait_for()
    _in_a_thread(intake_work)
    expect(page.locator("#tracking-number")).to_be_visible(timeout=20_000)
    number = page.locator("#tracking-number").inner_text().strip()
    application = Application.objects.get(number=number)
    assert application.item == item and application.form_data["company_name"] == FULL_COMPANY["company_name"]

    # The same citizen writes to the mayor; staff route, answer and publish; the citizen reads the answer.
    page.goto(url + "/letters/write/")
    expect(page.locator("#id_subject")).to_be_visible()
    _axe(page, problems)
    page.select_option("#id_topic", "complaint")
    page.fill("#id_subject", "小区门口夜市噪音扰民")
    page.fill("#id_body", "我住在梁溪区人民中路12号3栋501室，电话13912345678，楼下夜市每晚噪音到凌晨。")
    page.check("#id_publish_consent")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("#status")).to_have_text("待分办")
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    letter = Letter.objects.filter(writer=citizen).latest("pk")
    housing = Organization.objects.get(name__contains="住房和城乡建设局")

    context, desk = _staff(browser, url, "xxdispatcher")
    desk.goto(f"{url}/staff/letters/{letter.number}/")
    desk.select_option("#id_route-organization", label=housing.name)
    desk.locator('form[action$="/steps/route/"] button[type=submit]').click()
    expect(desk.locator(".govuk-notification-banner")).to_be_visible()
    context.close()
    context, desk = _staff(browser, url, "zjhandler")
    desk.goto(f"{url}/staff/letters/{letter.number}/")
    desk.fill("#id_answer-text", "已责成属地街道约谈夜市管理方，营业时间调整至22点前。")
    desk.locator('form[action$="/steps/answer/"] button[type=submit]').click()
    expect(desk.locator("#status")).to_have_text("已答复")
    context.close()
    context, desk = _staff(browser, url, "xxdispatcher")
    desk.goto(f"{url}/staff/letters/{letter.number}/")
    desk.check("#id_publication-publish_0")
    desk.locator('form[action$="/steps/publication/"] button[type=submit]').click()
    expect(desk.locator(".govuk-notification-banner")).to_be_visible()
    context.close()

    page.goto(url + "/letters/")
    page.locator(f'a[href="/letters/{letter.number}/"]').click()
    expect(page.locator("#letter-answer")).to_contain_text("营业时间调整至22点前")
    expect(page.locator("#letter-body")).to_contain_text("电话139****5678")
    _axe(page, problems)
    visitor_context.close()
    assert problems == []


def test_the_top_menu_fits_one_row_at_1280_and_folds_into_its_button_at_390(city, browser):
    # tester21: at 1280 px the public site's eleven sections wrapped to two rows (the 960 px column,
    # 30 px between 19 px items); a signed-in citizen's thirteen (with 我的办件, 我的信息公开申请) too.
    # Now one row in Chinese signed in or not, and in English for a visitor; at 390 px the menu is
    # behind its 菜单 button and every item is reachable when it is opened. A signed-in citizen's
    # thirteen in English wrapped to two rows until the menu had short English labels (Disclosure,
    # Policies, Credit, Economy, My info requests; context "public menu").
    url = city

    def rows(page):
        items = page.locator(".govuk-service-navigation__item")
        return items.count(), {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())
                               if items.nth(i).is_visible()}

    for language, signed_in, count in (("zh-hans", False, 11), ("en", False, 11), ("zh-hans", True, 13),
                                       ("en", True, 13)):
        context, page = _context(browser)
        context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        if signed_in:
            page.goto(url + "/accounts/login/")
            page.fill("#id_username", DEMO_CITIZEN["id_number"])
            page.fill("#id_password", DEMO_PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
        page.set_viewport_size({"width": 1280, "height": 800})
        assert page.goto(url + "/news/").status == 200
        expect(page.locator(".govuk-service-navigation__item")).to_have_count(count)
        found, tops = rows(page)
        assert (found, len(tops)) == (count, 1), (language, signed_in, tops)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(url + "/news/")
        assert rows(page) == (count, set())  # folded
        page.locator(".govuk-service-navigation__toggle").click()
        found, tops = rows(page)
        assert (found, len(tops)) == (count, count)  # one per row, all shown
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
