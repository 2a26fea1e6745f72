"""English pages say nothing in Chinese but what people typed (issue 12, "English mode still shows
Chinese").

The demo city with a case at each kind of step and a 公文 on its way is rendered page by page, in
English, for the public and for the staff who work on it. Every Han character, and every full-width
mark (：，。、（）〔〕), left on a page once the user content is taken out is a fault: a step name of a
BPMN file, an organization's Chinese name, a colon written into a template, a notification in one
language. User content is what people typed: names of people, the applicant's form, a 公文's title,
number and text, meetings' and supervision items' titles and notes, opinions.
"""

import re
from datetime import date

import pytest
from django.apps import apps
from django.db.models import CharField, JSONField, Q, TextField
from lxml import html as lxml_html

from egov.accounts.models import User
from egov.demo import DEMO_BACKUP_CODES, DEMO_CITIZEN, DEMO_ENTERPRISE, DEMO_PASSWORD, demo_load
from egov.documents.actions import document_draft, document_transition
from egov.documents.models import IncomingDocument, Meeting, OfficialDocument, SupervisionItem
from egov.documents.process import outgoing_process
from egov.exchange.models import InformationItem, InformationResource, SharingGrant, SharingRequest, SharingRequestItem
from egov.facilities.notifications import Notification
from egov.orgs.models import Organization
from egov.services.actions import processing
from egov.services.models import ServiceItem
from egov.services.tests.factories import VALID_COMPANY, submit
from egov.workflow.models import WorkTask

pytestmark = pytest.mark.django_db

# Han ideographs (with extensions A–H and the compatibility block) and the CJK full-width marks.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+")
FULL_COMPANY = {**VALID_COMPANY, "legal_representative": "王建国", "address": "无锡市梁溪区解放南路1号",
                "business_scope": "软件开发"}
DEMO_MFA = {"approver": DEMO_BACKUP_CODES[0]}  # staff whose roles need a second factor
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "data-label", "data-error")


def cjk_left(page: str, user_content: list[str]) -> list[str]:
    """The runs of CJK characters of ``page``'s visible text and labels (scripts, styles and elements
    marked ``lang="zh-…"``, such as the language switch, left out) once every string of
    ``user_content`` is taken out, each with a little context."""
    tree = lxml_html.fromstring(page)
    for element in tree.xpath('//script | //style | //*[starts-with(@lang, "zh")]'):
        element.drop_tree()
    texts = [" ".join(tree.itertext())]
    texts += [value for attribute in ATTRIBUTES for value in tree.xpath(f"//@{attribute}")]
    text = "\n".join(texts)
    for content in sorted({c for c in user_content if c}, key=len, reverse=True):
        text = text.replace(content, "¶")
    # What is left of typed text that a page shows laid out (a 公文's body in paragraphs): runs found
    # inside one of the typed strings.
    typed = "\n".join(user_content)
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ") for m in CJK.finditer(text)
            if m.group() not in typed]


def test_the_check_finds_chinese_and_leaves_user_content_alone():
    page = ('<html lang="en"><body><button lang="zh-hans">简体中文</button><p>Step: 审查</p>'
            '<p data-label="办结期限">Name: 张三</p><script>var a = "无锡";</script></body></html>')
    found = cjk_left(page, ["张三"])
    assert len(found) == 2 and "审查" in found[0] and "办结期限" in found[1]
    assert cjk_left('<p lang="en">Applicant: 张三</p>', ["张三"]) == []
    assert cjk_left('<p>Applicant：Zhang</p>', []) == ["Applicant：Zhang"]


# Models whose text fields hold what people typed (names of organizations, items and materials are
# catalogue content with English beside them: not here).
TYPED = {
    "services": ["Application", "ApplicationEvent", "SupplementRequest", "Rating", "Rectification"],
    "documents": ["OfficialDocument", "Opinion", "IncomingDocument", "Meeting", "AgendaItem", "Invitation",
                  "SupervisionItem", "ProgressReport", "Reminder", "Attachment"],
    "portal": ["DisclosureRequest", "DisclosureRequestEvent", "Letter", "LetterEvent", "LetterAttachment"],
    "accounts": ["User", "NaturalPerson", "LegalPerson"],
    "orgs": ["Position"],
    "exchange": ["SharingRequest", "SharingGrant"],
    # The base registers' rows are what the registering agencies typed (names, types, addresses, scopes).
    "registries": ["PopulationRecord", "LegalEntityRecord"],
}
# Fields of those models that copy a catalogue or organization name rather than what someone typed:
# a timeline's ``by`` names the organization that acted (or the applicant, whose name is typed
# elsewhere); a grant's consumer is an organization.
NOT_TYPED = {"ApplicationEvent": {"by"}, "DisclosureRequestEvent": {"by"}, "LetterEvent": {"by"},
             "SharingGrant": {"consumer_name"}}


def _typed(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _typed(item)]
    if isinstance(value, list):
        return [text for item in value for text in _typed(item)]
    if not isinstance(value, str) or not CJK.search(value):
        return []
    text = lxml_html.fromstring(f"<div>{value}</div>").text_content() if "<" in value else value
    return [value, *[line.strip() for line in text.splitlines() if line.strip()]]


def _user_content() -> list[str]:
    """What people typed into the demo city and these cases (kept on English pages as typed): every
    text field (no choices) of the models of ``TYPED``, line by line, and the answers of steps."""
    content = []
    for app_label, names in TYPED.items():
        for name in names:
            model = apps.get_model(app_label, name)
            fields = [f.name for f in model._meta.concrete_fields
                      if isinstance(f, (CharField, TextField, JSONField)) and not f.choices
                      and f.name not in NOT_TYPED.get(name, ())]
            for row in model.objects.values_list(*fields):
                content += [text for value in row for text in _typed(value)]
    # An organization's 机关代字 and a 公文's 发文字号 are written in Chinese in every language.
    content += [code for code in Organization.objects.values_list("doc_code", flat=True) if code]
    content += [str(document.number) for document in OfficialDocument.objects.exclude(number_seq=None)]
    content += CHINESE_EXAMPLES  # hints whose example is Chinese text to type (below)
    # A 信息项's sharing condition and legal reason (and the requested items' reasons that copy them)
    # are written in Chinese only: the catalogue has no English field for them.
    for row in InformationItem.objects.values_list("sharing_condition", "refusal_basis"):
        content += [text for value in row for text in _typed(value)]
    content += [text for value in SharingRequestItem.objects.values_list("reason", flat=True)
                for text in _typed(value)]
    # A credit record's subject and decision document number are written as decided, in every language.
    for row in apps.get_model("credit", "CreditRecord").objects.values_list("subject_name", "decision_document"):
        content += [text for value in row for text in _typed(value)]
    # A subject's reasons for an objection or a repair and the credit office's answer, as typed.
    for row in apps.get_model("credit", "CreditRequest").objects.values_list("reason", "answer"):
        content += [text for value in row for text in _typed(value)]
    for data in WorkTask.objects.exclude(completed_data={}).values_list("completed_data", flat=True):
        content += _typed(data.get("opinion", ""))
    return content


def _cases():
    demo_load()
    item = ServiceItem.objects.get(name="企业设立登记", parent__isnull=True)
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    staff = {name: User.objects.get(username=name) for name in ("clerk", "reviewer", "approver")}
    deciding = submit(item, citizen, key="en-deciding", form=FULL_COMPANY)
    processing.application_receive(actor=staff["clerk"], application=deciding)
    processing.application_accept(actor=staff["clerk"], application=deciding)
    processing.application_review(actor=staff["reviewer"], application=deciding)
    decided = submit(item, citizen, key="en-decided", form=FULL_COMPANY)
    processing.application_receive(actor=staff["clerk"], application=decided)
    processing.application_accept(actor=staff["clerk"], application=decided)
    processing.application_review(actor=staff["reviewer"], application=decided)
    processing.application_decide(actor=staff["approver"], application=decided, approve=True)
    waiting = submit(item, citizen, key="en-supplement", form=FULL_COMPANY)
    processing.application_receive(actor=staff["clerk"], application=waiting)
    processing.application_supplement_request(actor=staff["clerk"], application=waiting, note="请补交章程原件。",
                                              materials=list(item.materials.all()[:1]))
    fresh = submit(item, citizen, key="en-fresh", form=FULL_COMPANY)
    received = submit(item, citizen, key="en-received", form=FULL_COMPANY)  # 受理 offers the 补正 checklist
    processing.application_receive(actor=staff["clerk"], application=received)
    # 免提交 (issue 15): the demo enterprise applies for a food business licence, its register data
    # filled and its 营业执照 fetched rather than uploaded.
    food = ServiceItem.objects.get(name="食品经营许可（新办）")
    enterprise = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    files = {m.pk: b"%PDF-1.7\n%%EOF\n" for m in food.materials.filter(required=True) if not m.held_as}
    once_only = submit(food, enterprise, key="en-once-only", files=files, form={
        "business_name": DEMO_ENTERPRISE["name"], "uscc": DEMO_ENTERPRISE["uscc"],
        "premises": "无锡市梁溪区解放南路688号", "business_type": "catering", "food_safety_manager": "王建国",
        "contact_phone": "13912340000", "commitment": True})
    assert once_only.once_only["materials"]
    return {"item": item, "citizen": citizen, "deciding": deciding, "decided": decided, "waiting": waiting,
            "fresh": fresh, "received": received, "food": food, "enterprise": enterprise, "once_only": once_only}


def _pages_in_english(client, user, paths) -> dict[str, list[str]]:
    if user is not None and user.username in DEMO_MFA:
        client.post("/staff/login/", {"username": user.username, "password": DEMO_PASSWORD})
        client.post("/staff/login/code/", {"token": DEMO_MFA[user.username]})
    elif user is not None:
        client.force_login(user)
    found = {}
    content = _user_content()
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, (path, response.status_code)
        page = response.content.decode()
        assert '<html lang="en"' in page, path
        left = cjk_left(page, content)
        if left:
            found[path] = left
    client.logout()
    return found


def test_english_pages_show_no_chinese_outside_user_content(client):
    cases = _cases()
    deciding, decided, waiting, fresh = cases["deciding"], cases["decided"], cases["waiting"], cases["fresh"]
    issued = OfficialDocument.objects.filter(status="issued").first()
    found = {}
    found.update(_pages_in_english(client, cases["citizen"], [
        "/", "/services/", f"/services/{cases['item'].code}/", f"/services/{cases['item'].code}/apply/",
        "/services/applications/", f"/services/applications/{decided.number}/",
        f"/services/applications/{waiting.number}/", "/services/results/", "/services/ratings/",
        "/disclosure/", f"/disclosure/{issued.pk}/", "/accounts/me/", "/accounts/me/systems/",
        "/services/notifications/",
        f"/services/track/?number={decided.number}&code={decided.query_code}", "/search/?q=电子政务",
        "/disclosure-requests/", "/disclosure-requests/new/", "/credit/mine/", "/credit/mine/reports/new/",
        "/letters/", "/letters/statistics/", "/letters/write/", "/letters/mine/",
        *[f"/letters/mine/{number}/" for number in apps.get_model("portal", "Letter").objects.values_list(
            "number", flat=True)],
        *[f"/letters/{number}/" for number in apps.get_model("portal", "Letter").objects.filter(
            published_at__isnull=False).values_list("number", flat=True)],
    ]))
    # 市长信箱: the dispatcher's queue, statistics and letters.
    found.update({f"xxdispatcher {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="xxdispatcher"),
        ["/staff/letters/", "/staff/letters/statistics/",
         *[f"/staff/letters/{number}/" for number in apps.get_model("portal", "Letter").objects.values_list(
             "number", flat=True)]]).items()})
    found.update({f"visitor {path}": left for path, left in _pages_in_english(client, None, [
        "/accounts/login/", "/accounts/register/person/", "/accounts/register/legal-person/", "/staff/login/",
        "/credit/", f"/credit/{DEMO_ENTERPRISE['uscc']}/", "/credit/91320214MA1Y001127/", "/credit/51320200MJ5500034D/",
        "/credit/statistics/",
    ]).items()})
    found.update({f"enterprise {path}": left for path, left in _pages_in_english(client, cases["enterprise"], [
        f"/services/{cases['food'].code}/apply/", f"/services/applications/{cases['once_only'].number}/",
        "/credit/mine/",
    ]).items()})
    found.update({f"scjgintake {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="scjgintake"), [f"/staff/cases/{cases['once_only'].number}/"]).items()})
    found.update({f"steward {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="steward"),
        ["/staff/credit/penalties/new/", "/staff/credit/listings/new/", "/staff/credit/import/"]).items()})
    # The credit office (the demo's 信用办): the open objection, and the repair it granted.
    credit_requests = [f"/staff/credit/requests/{number}/" for number in
                       apps.get_model("credit", "CreditRequest").objects.values_list("number", flat=True)]
    found.update({f"xinyong {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="xinyong"),
        ["/staff/credit/requests/", "/staff/credit/requests/?all=1", *credit_requests]).items()})
    users = {name: User.objects.get(username=name) for name in ("clerk", "approver", "govclerk", "docclerk")}
    case_pages = [f"/staff/cases/{case.number}/" for case in (deciding, decided, waiting, fresh, cases["received"])]
    found.update({f"clerk {path}": left for path, left in _pages_in_english(client, users["clerk"], [
        "/staff/", "/staff/inbox/", "/staff/inbox/done/", "/staff/notifications/", "/staff/cases/ratings/",
        "/staff/credit/reports/", "/staff/credit/reports/new/", "/staff/credit/checks/new/",
        *case_pages]).items()})
    found.update({f"approver {path}": left for path, left in _pages_in_english(client, users["approver"], [
        "/staff/inbox/", f"/staff/cases/{deciding.number}/"]).items()})
    documents = [f"/staff/documents/{document.pk}/" for document in OfficialDocument.objects.all()[:6]]
    documents += [f"/staff/documents/{document.pk}/history/" for document in OfficialDocument.objects.all()[:3]]
    supervision = [f"/staff/documents/supervision/{item.pk}/" for item in SupervisionItem.objects.all()[:2]]
    meetings = [f"/staff/documents/meetings/{meeting.pk}/" for meeting in Meeting.objects.all()[:2]]
    found.update({f"govclerk {path}": left for path, left in _pages_in_english(client, users["govclerk"], [
        "/staff/inbox/", "/staff/documents/", "/staff/documents/meetings/", "/staff/documents/supervision/",
        "/staff/documents/new/", "/staff/documents/outbox/", "/staff/documents/search/?q=电子政务",
        "/staff/documents/meetings/notices/", *meetings, *documents]).items()})
    # A draft of 市政府办公室 sent for 核稿: its task page offers the answers (送签发, 送会签, 退回修改)
    # and the organizations to consult.
    docclerk, office = users["docclerk"], Organization.objects.get(name="无锡市人民政府办公室")
    review = document_draft(actor=docclerk, issuer=office, kind="notice", title="关于开展满意度调查的通知",
                            body="各单位：请按要求开展调查。", main_to=[Organization.objects.get(name="无锡市财政局")],
                            disclosure="proactive")
    document_transition(actor=docclerk, document=review, to="reviewing")
    task = outgoing_process(review).tasks.get(bpmn_id="review")
    found.update({f"docreviewer {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="docreviewer"), [f"/staff/tasks/{task.pk}/"]).items()})
    incoming = [f"/staff/documents/incoming/{i.pk}/" for i in IncomingDocument.objects.all()[:2]]
    found.update({f"docclerk {path}": left for path, left in _pages_in_english(client, users["docclerk"], [
        "/staff/inbox/", "/staff/documents/inbox/", *incoming, *supervision]).items()})
    # The track page names the item (its heading was empty: a name looked up on a string) and the
    # organization in English.
    track = client.get(f"/services/track/?number={decided.number}&code={decided.query_code}",
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="case-title">{cases["item"].name_en}</h2>' in track
    assert f"{decided.organization.name_en}</dd>" in track
    steward = User.objects.get(username="spjdata")
    # The requests and grants 行政审批局 is a side of (the others are not its to see: 404).
    own = steward.memberships.values_list("organization__uscc", flat=True)
    sharing = [f"/staff/exchange/sharing/{row.number}/" for row in SharingRequest.objects.filter(
        Q(consumer__uscc__in=own) | Q(provider__uscc__in=own))]
    sharing += [f"/staff/exchange/sharing/grants/{grant.pk}/" for grant in SharingGrant.objects.filter(
        Q(consumer_code__in=own) | Q(resource__provider_code__in=own))]
    resource = InformationResource.objects.order_by("code").first()
    found.update({f"spjdata {path}": left for path, left in _pages_in_english(client, steward, [
        "/staff/exchange/catalog/", f"/staff/exchange/catalog/resources/{resource.code}/", "/staff/exchange/sharing/",
        "/staff/exchange/sharing/grants/", f"/staff/exchange/sharing/new/?resource={resource.code}",
        *sharing]).items()})
    # The provider's data steward: the pending request in the inbox and its decision form.
    found.update({f"gajdata {path}": left for path, left in _pages_in_english(
        client, User.objects.get(username="gajdata"), ["/staff/inbox/", *sharing[:2]]).items()})
    # (The check above takes out runs found in typed text, and a 公文's body names 人口基础信息: the
    # resource's English name is looked for itself.)
    client.force_login(User.objects.get(username="gajdata"))
    asked = SharingRequest.objects.filter(status="pending").select_related("resource").first().resource
    assert asked.name_en in client.get("/staff/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.logout()
    opened = InformationResource.objects.filter(is_open=True).first()
    found.update({f"visitor {path}": left for path, left in _pages_in_english(client, None, [
        "/open-data/", f"/open-data/{opened.code}/"]).items()})
    company = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    found.update({f"company {path}": left for path, left in _pages_in_english(client, company, [
        "/accounts/me/"]).items()})
    assert Notification.objects.exists() and date.today()
    if found:
        pytest.fail("Chinese on English pages:\n" + "\n".join(f"{path}: {run}" for path, runs in found.items()
                                                            for run in runs))


# msgids whose Chinese is an example of Chinese content (what to type into a 公文, a number's form),
# kept on English pages.
CHINESE_EXAMPLES = {
    # Values and column headings a file must carry as written (the registers' and the catalog's files).
    '%(column)s: write 是 (yes) or 否 (no), not “%(value)s”.',
    'Sheets 信息资源 and 信息项 with the columns of the export. A file with one bad row imports nothing.',
    'The registered capital “%(value)s” is not an amount such as 500万元.',
    'The sex “%(value)s” is not 男, 女, 1 or 2.',
    'The status “%(value)s” is not 存续, 在业, 吊销 or 注销.',
    'The status “%(value)s” is not 正常, 死亡 or 迁出.',
    'The status “%(value)s” is not 初步 (preliminary) or 最终 (final).',
    'The period “%(value)s” is not a year (2024), a quarter (2024Q1, 2024年第一季度) or a month (2024-03).',
    'Up to four levels joined by hyphens, e.g. 1-01-001 (类 1 基础, 项 01 人口, 目 001).',
    ('Upload an XLSX workbook as the export writes it (sheets 信息资源 and 信息项), or a JSON file of resources. '
     'Each resource is published as you: only for organizations you are an operator of.'),
    '信息资源代码 “%(code)s” appears twice (first on row %(row)d).',
    '信息资源代码 “%(code)s” is not on the sheet 信息资源.',
    '信息资源代码: required.',
    '字段名 “%(field)s” appears twice in this resource (first on row %(row)d).',
    "e.g. 各市（县）区人民政府，市各委办局，市各直属单位",
    "Headings: 一、 （一） 1. （1） at the start of a paragraph.",
    "One item a line; the presenter after a ｜, e.g. 通报电子政务建设进展｜市数据局",
    "One a line: name, position (e.g. 周洁，办公室主任)",
    "it has no title ending in a document kind (通知, 决定, 意见…)",
    "%(text)s is not a document number such as 锡政发〔2026〕1号.",
    "For example: 同意。 A return needs its reason, e.g. 请按意见修改后再送。",
    "For example: 同意。",
    "For example: 锡市监罚〔2026〕12号",
    "作废 needs its reason, e.g. 该事项已另行发文，本稿不再印发。",
}


def test_each_interface_word_with_chinese_in_it_has_its_english_text():
    """A msgid may carry the Chinese term for the Chinese catalogue ("Case (办件)"); English pages then
    show the en catalogue's text, which has no Chinese."""
    from tests.test_translations import SRC, _entries

    english = {msgid: strs[0] for _line, msgid, strs in _entries(SRC / "egov/locale/en/LC_MESSAGES/django.po")}
    assert english and not [text for text in english.values() if CJK.search(text)]
    missing = sorted({msgid for path in SRC.glob("egov/**/locale/zh_Hans/LC_MESSAGES/django.po")
                      for _line, msgid, _strs in _entries(path)
                      if CJK.search(msgid) and msgid not in english and msgid not in CHINESE_EXAMPLES})
    assert missing == []
