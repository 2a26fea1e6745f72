"""Accessibility of both sites in Debian chromium (issue 12, item 7 and its "done when").

- axe-core (tests/vendor/axe-core, MPL-2.0) finds no ``serious`` or ``critical`` violation on the
  main public and staff pages of the demo city (the receipts of a submission in each state, the
  staff inbox, a task page, a case page, the notification inbox, a document's 登记 confirmation page
  and its history, the information resource catalog's pages, the public open-data pages, the 共享申请
  pages, the 信用公示 pages and their statistics, the penalty and listing forms, the credit office's
  objection pages and the base registers' pages among them), in Chinese at desktop width.
- Each radio and checkbox of the apply form, the decision form and the rating form sits beside its
  own label at 1280 and 390 px: the label's box and the input's box overlap vertically and the label
  starts right of the input (before GOV.UK Frontend the generic ``.field input/label`` rules put
  every label on a line of its own, above its input).
- Keyboard only (Tab, Space, Enter and typing; ArrowDown to choose in a drop-down): a citizen applies
  for an item; the approver decides the case.

Set EGOV_SCREENSHOTS=/some/dir to keep a screenshot of every page checked.
"""

import os
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from egov.accounts.actions import natural_person_register
from egov.accounts.models import User
from egov.credit.models import CreditRequest
from egov.demo import DEMO_BACKUP_CODES, DEMO_CITIZEN, DEMO_ENTERPRISE, DEMO_PASSWORD, demo_load
from egov.documents.actions import document_draft, document_sign_off, document_transition
from egov.documents.models import OfficialDocument
from egov.exchange.models import SharingRequest, Subscription
from egov.facilities.notifications import notification_send
from egov.orgs.models import Organization
from egov.portal.models_letters import Letter
from egov.services.actions import processing
from egov.services.actions.applying import intake_submit
from egov.services.actions.intake import intake_work
from egov.services.models import Application, IntakeRecord, IntakeState, ServiceItem
from egov.services.models import ApplicationStatus as S
from egov.services.tests.factories import VALID_COMPANY, submit
from egov.workflow.models import WorkTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PDF = b"%PDF-1.7\n% egov accessibility test\n%%EOF\n"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FULL_COMPANY = {**VALID_COMPANY, "legal_representative": "王建国", "address": "无锡市梁溪区解放南路1号",
                "business_scope": "软件开发"}


@pytest.fixture
def demo(reference_data, live_server, settings, tmp_path):
    """The demo city on the live server, with one case of 企业设立登记 waiting for the approver's
    decision (and a notification of it in the approver's inbox), one concluded (to be rated) by the
    demo citizen, and a 通知 of the government waiting for its 登记; ``url`` is the live server's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return {**_in_a_thread(_demo_cases), "url": live_server.url}


def _in_a_thread(work):
    """Run ``work()`` in a thread of its own and return its result: the demo and the licences are signed
    with pyHanko, which calls ``asyncio.run``; Playwright's sync API holds this thread's event loop."""
    result = {}

    def run():
        try:
            result["value"] = work()
        except BaseException as error:  # re-raised in the test's thread
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def _demo_cases():
    demo_load()
    item = ServiceItem.objects.get(name="企业设立登记", parent__isnull=True)
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    staff = {name: User.objects.get(username=name) for name in ("clerk", "reviewer", "approver")}

    def to_decision(key):
        case = submit(item, citizen, key=key, form=FULL_COMPANY)
        processing.application_receive(actor=staff["clerk"], application=case)
        processing.application_accept(actor=staff["clerk"], application=case)
        return processing.application_review(actor=staff["reviewer"], application=case)

    deciding = to_decision("a11y-deciding")
    concluded = to_decision("a11y-concluded")
    processing.application_decide(actor=staff["approver"], application=concluded, approve=True)
    concluded = processing.application_conclude(actor=staff["clerk"], application=concluded)
    notification_send(recipient=staff["approver"], subject=f"待决定：{deciding.number}", body="请在期限内作出决定。",
                      link_name="services_staff:case", link_args=[deciding.number])
    return {"item": item, "deciding": deciding, "concluded": concluded, "registering": _document_to_register(),
            **_once_only_case(), **_receipts(item, citizen, concluded)}


def _receipts(item, citizen, concluded) -> dict:
    """The demo citizen's receipts (受理回执, issue 18) in each state: one waiting for the worker
    (受理中, the page polls), one the worker refused (失败, with the reason and 重新申请), and the
    concluded case's own (已提交, linking its number)."""
    files = {m.pk: PDF for m in item.materials.filter(required=True)}
    waiting, _created = intake_submit(actor=citizen, item=item, form_data=FULL_COMPANY, files=files,
                                      idempotency_key="a11y-receipt-waiting")
    failed, _created = intake_submit(actor=citizen, item=item, form_data=FULL_COMPANY, files=files,
                                     idempotency_key="a11y-receipt-failed")
    # As the worker leaves a record whose item was withdrawn from online applying meanwhile
    # (intake.intake_process; withdrawing the demo's item would change the other pages).
    IntakeRecord.objects.filter(pk=failed.pk).update(
        state=IntakeState.FAILED, processed_at=timezone.now(), attempts=1,
        error={"message": "该事项已不能网上申请。", "extra": {"field": "item", "rule": "online"}, "status": 400})
    return {"receipts": {"waiting": waiting.receipt, "failed": failed.receipt, "done": concluded.intake.receipt}}


# The demo enterprise's 食品经营许可（新办）: its register data filled, the 营业执照 免提交 (issue 15).
FOOD_FORM = {"business_name": DEMO_ENTERPRISE["name"], "uscc": DEMO_ENTERPRISE["uscc"],
             "premises": "无锡市梁溪区解放南路688号", "business_type": "catering", "food_safety_manager": "王建国",
             "contact_phone": "13912340000", "commitment": True}


def _once_only_case() -> dict:
    """The food item (whose apply form shows the enterprise's register data and a 免提交 material)
    and a case of it submitted by the demo enterprise (whose case page shows where each fact came from)."""
    food = ServiceItem.objects.get(name="食品经营许可（新办）")
    enterprise = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    files = {m.pk: PDF for m in food.materials.filter(required=True) if not m.held_as}
    case = submit(food, enterprise, key="a11y-once-only", form=FOOD_FORM, files=files)
    assert case.once_only["materials"], case.once_only  # the 营业执照 was fetched, not uploaded
    return {"food": food, "food_case": case}


def _document_to_register() -> OfficialDocument:
    """拟稿 → 核稿 → 签发 → 复核 by the demo's 公文 users: the document waits for its 登记."""
    office = {name: User.objects.get(username=name) for name in ("govclerk", "govreviewer", "vicemayor")}
    government = Organization.objects.get(parent__isnull=True, name="无锡市人民政府")
    finance = Organization.objects.get(doc_code="锡财")
    document = document_draft(actor=office["govclerk"], issuer=government, kind="notice",
                              title="无锡市人民政府关于做好无障碍环境建设的通知",
                              body="一、总体要求\n各部门要按要求做好。", main_to=[finance], disclosure="proactive")
    document_transition(actor=office["govclerk"], document=document, to="reviewing")
    document_transition(actor=office["govreviewer"], document=document, to="signing", comment="同意。")
    document_sign_off(actor=office["vicemayor"], document=document, comment="同意。", mfa_verified=True)
    return document_transition(actor=office["govclerk"], document=document, to="registering")


# What the browser reported as refused by the Content-Security-Policy, per page (id of the page).
_CSP_REFUSALS: dict[int, list[str]] = {}


def _demo_letter(which: str):
    """A demo letter to the mayor: the ``published`` one, or the one ``answered`` and not rated yet."""
    if which == "published":
        return Letter.objects.filter(published_at__isnull=False).order_by("pk").first()
    return Letter.objects.filter(status="answered").order_by("pk").first()


def _context(browser, viewport=DESKTOP, locale="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    refusals = _CSP_REFUSALS.setdefault(id(page), [])
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    return context, page


def _sign_in_citizen(page, url, username=DEMO_CITIZEN["id_number"], password=DEMO_PASSWORD):
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


def _sign_in_staff(page, url, username, backup_code=None):
    page.goto(url + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    if backup_code:
        page.fill("#id_token", backup_code)
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


def _axe_problems(page) -> list[str]:
    """The serious and critical axe-core violations of the page, one line each."""
    page.evaluate(AXE.read_text())  # not a <script> tag: the CSP refuses inline script
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                               " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations
            if v["impact"] in ("serious", "critical")]


def _shot(page, name):
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _check(page, url, name, problems):
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    problems.extend(f"{url}: {line}" for line in _axe_problems(page))
    refusals = _CSP_REFUSALS.get(id(page), [])
    problems.extend(f"{url}: refused by the CSP: {line}" for line in refusals)
    refusals.clear()
    _shot(page, name)


def _choices_beside_labels(page) -> int:
    """Assert that each radio and checkbox of the page's main content has its label on the same line,
    right of it; return how many were checked."""
    inputs = page.locator("main input[type=radio], main input[type=checkbox]")
    count = inputs.count()
    for index in range(count):
        control = inputs.nth(index)
        label = page.locator(f'label[for="{control.get_attribute("id")}"]')
        expect(label).to_have_count(1)
        # Both boxes measured in one go: an inline PDF preview may scroll the page while it loads.
        box, text = page.evaluate(
            """id => [document.getElementById(id), document.querySelector(`label[for="${id}"]`)].map(e => {
                const r = e.getBoundingClientRect();
                return {x: r.x, y: r.y, width: r.width, height: r.height};
            })""", control.get_attribute("id"))
        assert box and text, control.get_attribute("id")
        # The two boxes share some height: the label is on the input's line, not above or below it.
        assert text["y"] < box["y"] + box["height"] and box["y"] < text["y"] + text["height"], (
            control.get_attribute("id"), box, text)
        # And the label begins after the input's left edge (GOV.UK draws the control, then its label).
        assert text["x"] > box["x"], (control.get_attribute("id"), box, text)
    return count


def test_main_pages_have_no_serious_accessibility_violations(demo, browser):
    url, item = demo["url"], demo["item"]
    deciding, concluded = demo["deciding"], demo["concluded"]
    document = OfficialDocument.objects.filter(published_at__isnull=False).first()
    problems: list[str] = []

    context, page = _context(browser)
    for path, name in [("/accounts/login/", "public-login"), ("/accounts/register/person/", "public-register")]:
        _check(page, url + path, name, problems)
    _sign_in_citizen(page, url)
    for path, name in [
        ("/", "public-home"), ("/services/", "public-catalogue"), (f"/services/{item.code}/", "public-guide"),
        (f"/services/{item.code}/apply/", "public-apply"), ("/services/applications/", "public-my-applications"),
        (f"/services/applications/{concluded.number}/", "public-case"),
        (f"/services/track/?number={concluded.number}&code={concluded.query_code}", "public-track"),
        ("/services/results/", "public-results"), ("/services/ratings/", "public-ratings"),
        ("/disclosure/", "public-disclosure"), (f"/disclosure/{document.pk}/", "public-document"),
        ("/search/?q=电子政务", "public-search"),
        ("/open-data/", "public-open-data"), ("/open-data/320200-SCJG-0001/", "public-open-resource"),
        ("/accounts/me/", "public-account"), ("/accounts/me/data-use/", "public-data-use"),
        ("/accounts/me/data-reads/", "public-data-reads"),
        ("/accounts/me/verify/", "public-verify"),
        ("/credit/", "public-credit"), ("/credit/91320214MA1Y001127/", "public-credit-subject"),
        ("/credit/statistics/", "public-credit-statistics"),
        ("/credit/mine/", "public-credit-mine"), ("/credit/mine/reports/new/", "public-credit-report-new"),
        # 市长信箱 (issue 21 part 4): the demo's letters, one answered and published, one waiting.
        ("/letters/", "public-letters"), ("/letters/statistics/", "public-letters-statistics"),
        ("/letters/write/", "public-letter-write"), ("/letters/mine/", "public-letters-mine"),
        (f"/letters/mine/{_demo_letter('answered').number}/", "public-letter-mine-answered"),
        (f"/letters/{_demo_letter('published').number}/", "public-letter-published"),
        *((f"/services/receipts/{receipt}/", f"public-receipt-{state}") for state, receipt in demo["receipts"].items()),
    ]:
        _check(page, url + path, name, problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "xxdispatcher")
    for path, name in [("/staff/letters/", "staff-letters"), ("/staff/letters/statistics/", "staff-letters-statistics"),
                       (f"/staff/letters/{_demo_letter('published').number}/", "staff-letter")]:
        _check(page, url + path, name, problems)
    context.close()
    # 实名认证 (issue 17): an account the register does not hold is refused the apply form with the page
    # that says how to get verified; the window clerk finds it and sees the confirmation form.
    # (its own password: the published demo password is refused to new accounts, docs/security.md)
    unverified = natural_person_register(id_number="320213199001010015", name="赵六", password="lantern river 7 copper")
    context, page = _context(browser)
    _sign_in_citizen(page, url, username=unverified.id_number, password="lantern river 7 copper")
    response = page.goto(f"{url}/services/{item.code}/apply/")
    assert response.status == 403 and page.locator("#verification-required").is_visible()
    problems.extend(f"verification required: {line}" for line in _axe_problems(page))
    _shot(page, "public-verification-required")
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "clerk")
    _check(page, url + "/staff/accounts/verify/", "staff-window-verify", problems)
    page.fill("#id_identifier", unverified.id_number)
    page.locator("main form button[name=lookup]").click()
    expect(page.locator("#account-name")).to_have_text("赵六")
    problems.extend(f"window verify, found: {line}" for line in _axe_problems(page))
    _shot(page, "staff-window-verify-found")
    context.close()

    context, page = _context(browser)
    _sign_in_staff(page, url, "approver", backup_code=DEMO_BACKUP_CODES[0])
    for path, name in [("/staff/", "staff-home"), ("/staff/inbox/", "staff-inbox"),
                       ("/staff/inbox/done/", "staff-inbox-done"), (f"/staff/cases/{deciding.number}/", "staff-case"),
                       ("/staff/notifications/", "staff-notifications"),
                       ("/staff/exchange/catalog/", "staff-catalog"),
                       ("/staff/exchange/catalog/classification/", "staff-catalog-classification"),
                       ("/staff/exchange/catalog/resources/320200-GA-0001/", "staff-catalog-resource"),
                       ("/staff/exchange/catalog/import/", "staff-catalog-import")]:
        _check(page, url + path, name, problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "govclerk")
    registering = demo["registering"]
    # The generic task page (a case's task goes to the case page): the 登记 step of the document.
    task = WorkTask.objects.get(instance__subject_id=str(registering.pk), completed_at__isnull=True,
                                instance__subject_type__model="officialdocument")
    for path, name in [("/staff/documents/", "staff-documents"), (f"/staff/tasks/{task.pk}/", "staff-task"),
                       (f"/staff/documents/{document.pk}/", "staff-document"),
                       (f"/staff/documents/{registering.pk}/", "staff-document-registering"),
                       (f"/staff/documents/{registering.pk}/steps/register/", "staff-document-register"),
                       (f"/staff/documents/{registering.pk}/history/", "staff-document-history")]:
        _check(page, url + path, name, problems)
    context.close()
    # 免提交 (issue 15): the enterprise's apply form with its register data and a held material, and
    # the market regulator's window clerk on the case that shows the source of each fact.
    context, page = _context(browser)
    _sign_in_citizen(page, url, username=DEMO_ENTERPRISE["uscc"])
    _check(page, f"{url}/services/{demo['food'].code}/apply/", "public-apply-once-only", problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "scjgintake")
    _check(page, f"{url}/staff/cases/{demo['food_case'].number}/", "staff-case-once-only", problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "gkofficer")
    _check(page, url + "/staff/disclosure/requests/", "staff-disclosure-requests", problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "admin", backup_code=DEMO_BACKUP_CODES[0])  # an operator: publishes resources
    for path, name in [("/staff/exchange/catalog/new/", "staff-catalog-new"),
                       ("/staff/exchange/catalog/resources/320200-GA-0001/edit/", "staff-catalog-edit")]:
        _check(page, url + path, name, problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "steward")
    _check(page, url + "/staff/registries/", "staff-registries-search", problems)
    page.fill("#id_query", DEMO_CITIZEN["id_number"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main table")).to_be_visible()
    problems.extend(f"registries search results: {line}" for line in _axe_problems(page))
    page.locator("main table a").first.click()
    expect(page.locator("main .govuk-summary-list")).to_be_visible()
    problems.extend(f"registries record: {line}" for line in _axe_problems(page))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .govuk-notification-banner")).to_be_visible()
    problems.extend(f"registries record, full values: {line}" for line in _axe_problems(page))
    _check(page, url + "/staff/registries/import/", "staff-registries-import", problems)
    _check(page, url + "/staff/credit/penalties/new/", "staff-credit-penalty", problems)
    _check(page, url + "/staff/credit/listings/new/", "staff-credit-listing", problems)
    _check(page, url + "/staff/credit/import/", "staff-credit-import", problems)
    page.set_input_files("#id_file", files=[{"name": "credit.csv", "mimeType": "text/csv", "buffer": (
        "类别,主体类型,统一社会信用代码/公民身份号码,主体名称,决定文书号,决定日期,严重程度,法律依据\n"
        "行政处罚,法人,913202137654321AB3,某公司,锡罚〔2026〕1号,2026-01-05,一般,《广告法》\n").encode()}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main #counts")).to_be_visible()
    problems.extend(f"credit import result: {line}" for line in _axe_problems(page))
    context.close()
    # The credit office (信用办): the open objections and the demo's objection with its supporting file.
    objection = CreditRequest.objects.get(kind="objection", status="submitted")
    context, page = _context(browser)
    _sign_in_staff(page, url, "xinyong")
    for path, name in [("/staff/credit/requests/", "staff-credit-requests"),
                       (f"/staff/credit/requests/{objection.number}/", "staff-credit-request")]:
        _check(page, url + path, name, problems)
    context.close()
    # Credit reports and batch checks: 行政审批局's intake clerk holds a check role.
    context, page = _context(browser)
    _sign_in_staff(page, url, "clerk")
    for path, name in [("/staff/credit/reports/", "staff-credit-reports"),
                       ("/staff/credit/reports/new/", "staff-credit-report-new"),
                       ("/staff/credit/checks/new/", "staff-credit-check-new")]:
        _check(page, url + path, name, problems)
    context.close()
    # 共享申请: the provider's data steward (公安局) and the consumer's (行政审批局), demo requests.
    pending = SharingRequest.objects.get(status="pending")
    context, page = _context(browser)
    _sign_in_staff(page, url, "gajdata")
    for path, name in [("/staff/exchange/sharing/", "staff-sharing-requests"),
                       (f"/staff/exchange/sharing/{pending.number}/", "staff-sharing-request"),
                       ("/staff/exchange/sharing/grants/", "staff-sharing-grants"),
                       ("/staff/exchange/read-inquiries/", "staff-read-inquiries"),
                       (f"/staff/exchange/sharing/grants/{pending.grants.get().pk}/", "staff-sharing-grant"),
                       ("/staff/exchange/sharing/subscriptions/", "staff-subscriptions"),
                       (f"/staff/exchange/sharing/subscriptions/{Subscription.objects.get().pk}/",
                        "staff-subscription")]:
        _check(page, url + path, name, problems)
    context.close()
    context, page = _context(browser)
    _sign_in_staff(page, url, "spjdata")
    _check(page, f"{url}/staff/exchange/sharing/new/?resource={pending.resource.code}", "staff-sharing-new", problems)
    context.close()

    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_each_radio_and_checkbox_sits_beside_its_label(demo, browser, viewport):
    url, item = demo["url"], demo["item"]
    width = viewport["width"]
    context, page = _context(browser, viewport)
    _sign_in_citizen(page, url)
    page.goto(f"{url}/services/{item.code}/apply/")
    assert _choices_beside_labels(page) >= 1  # 本人承诺 (a checkbox)
    _shot(page, f"apply-{width}")
    page.goto(f"{url}/services/applications/{demo['concluded'].number}/")
    assert _choices_beside_labels(page) == 5  # the five levels of 好差评 (国办发〔2019〕51号)
    expect(page.get_by_label("非常满意")).to_have_attribute("type", "radio")
    _shot(page, f"rating-{width}")
    context.close()

    context, page = _context(browser, viewport, locale="en-GB")
    _sign_in_staff(page, url, "approver", backup_code=DEMO_BACKUP_CODES[1])
    page.goto(f"{url}/staff/cases/{demo['deciding'].number}/")
    decision = page.locator('form[action$="/steps/decide/"]')
    expect(decision.get_by_label("Approve", exact=True)).to_have_attribute("value", "1")
    expect(decision.get_by_label("Deny", exact=True)).to_have_attribute("value", "0")
    assert _choices_beside_labels(page) >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"decision-{width}")
    context.close()

    # The provider's decision on a 共享申请: share or not, per item waiting (demo: 户籍地址).
    pending = SharingRequest.objects.get(status="pending")
    context, page = _context(browser, viewport, locale="en-GB")
    _sign_in_staff(page, url, "gajdata")
    page.goto(f"{url}/staff/exchange/sharing/{pending.number}/")
    decision = page.locator('form[action$="/decide/"]')
    expect(decision.get_by_label("Share", exact=True)).to_have_attribute("type", "radio")
    expect(decision.get_by_label("Do not share", exact=True)).to_have_attribute("value", "refuse")
    assert _choices_beside_labels(page) == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"sharing-decision-{width}")
    context.close()


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _choose_file(page, file) -> None:
    """Open the focused file input's chooser from the keyboard and pick ``file``. Space opens it, Enter
    too; on a loaded machine chromium sometimes lets a key press pass without a chooser, so try again."""
    for key in ("Space", "Enter", "Space"):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeout:
            continue
        chooser.value.set_files(files=[file])
        return
    raise AssertionError("no file chooser opened from the keyboard")


def test_keyboard_only_citizen_applies_and_approver_decides(demo, browser):
    url, item = demo["url"], demo["item"]
    context, page = _context(browser)
    page.goto(f"{url}/services/{item.code}/")
    _tab_to(page, f'a[href="/services/{item.code}/apply/"]')
    page.keyboard.press("Enter")
    expect(page.locator("#id_username")).to_be_visible()
    _tab_to(page, "#id_username")
    page.keyboard.type(DEMO_CITIZEN["id_number"])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#id_form-company_name")).to_be_visible()

    typed = {f"id_form-{name}": str(value) for name, value in FULL_COMPANY.items() if name != "commitment"}
    _tab_to(page, "#id_form-company_name")
    files = 0
    for _ in range(60):
        focused = page.evaluate("() => ({id: document.activeElement.id, type: document.activeElement.type,"
                                " tag: document.activeElement.tagName})")
        if focused["tag"] == "BUTTON":
            break
        if focused["id"] == "id_form-company_type":
            page.keyboard.press("ArrowDown")  # the first option after "— choose —": 有限责任公司
        elif focused["id"] in typed:
            page.keyboard.type(typed[focused["id"]])
        elif focused["type"] == "checkbox":
            page.keyboard.press("Space")
        elif focused["type"] == "file" and page.locator(f"#{focused['id']}").get_attribute("required") is not None:
            _choose_file(page, {"name": f"材料{files}.pdf", "mimeType": "application/pdf", "buffer": PDF})
            files += 1
        page.keyboard.press("Tab")
    assert files == item.materials.filter(required=True).count()
    page.keyboard.press("Enter")
    page.locator("#receipt").wait_for()  # the receipt at once (受理中); the worker then makes the case
    intake_work()
    expect(page.locator("#tracking-number")).to_be_visible(timeout=20_000)
    number = page.locator("#tracking-number").inner_text().strip()
    context.close()

    application = Application.objects.get(number=number)
    assert application.form_data["company_type"] == "llc" and application.form_data["commitment"] is True
    staff = {name: User.objects.get(username=name) for name in ("clerk", "reviewer")}
    processing.application_receive(actor=staff["clerk"], application=application)
    processing.application_accept(actor=staff["clerk"], application=application)
    processing.application_review(actor=staff["reviewer"], application=application)

    context, page = _context(browser)
    page.goto(url + "/staff/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type("approver")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#id_token")).to_be_visible()
    _tab_to(page, "#id_token")
    page.keyboard.type(DEMO_BACKUP_CODES[2])
    page.keyboard.press("Enter")
    # The code page has an <h1> too: wait until the sign-in is through, not for a heading only, or the
    # next page.goto can cut the code's POST short on a loaded machine.
    page.wait_for_url(lambda address: "/login" not in address)
    expect(page.locator("h1")).to_be_visible()
    page.goto(url + "/staff/cases/")
    _tab_to(page, f'a[href="/staff/cases/{number}/"]')
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_be_visible()
    page.wait_for_load_state("load")  # the design system's scripts have run (on a loaded machine, late)
    approve = "#id_decide-approve_0"  # 准予许可, the first radio of the decision
    for _ in range(3):  # a loaded chromium sometimes lets a key press pass (see _choose_file)
        if not page.evaluate("s => document.activeElement && document.activeElement.matches(s)", approve):
            _tab_to(page, approve)  # (again, if focus moved meanwhile)
        page.keyboard.press("Space")
        if page.locator(approve).is_checked():
            break
    expect(page.locator("#id_decide-approve_0")).to_be_checked()
    _tab_to(page, 'form[action$="/steps/decide/"] button[type=submit]')
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(str(S.APPROVED.label))
    context.close()
    application.refresh_from_db()
    assert application.status == S.APPROVED
