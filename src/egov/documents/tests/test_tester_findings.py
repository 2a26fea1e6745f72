"""Findings of a fresh tester in the 公文 office and 督查督办 (issue 12): each test failed before its fix."""

import time
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from egov.core.errors import ValidationFailed
from egov.documents import supervision as sv
from egov.documents.actions import document_draft, document_transition, document_update
from egov.documents.forms_supervision import SupervisionItemForm
from egov.documents.models import OfficialDocument
from egov.documents.tests.conftest import _staff
from egov.orgs.models import Organization
from egov.orgs.roles import Role


@pytest.fixture
def office_draft(wuxi):
    """A draft of 市政府办公室, which has a document clerk and nobody else (the demo's office before)."""
    clerk = _staff("office-clerk", "办公室文书", wuxi.office, Role.DOCUMENT_CLERK)
    document = document_draft(actor=clerk, issuer=wuxi.office, kind="notice", title="关于做好节日值班工作的通知",
                              body="各单位要做好值班。", main_to=[wuxi.finance], disclosure="proactive")
    return clerk, document


def _elements(document, **changes) -> dict:
    data = {"kind": document.kind, "title": document.title, "classification": document.classification,
            "disclosure": document.disclosure, "body": "正文。", "signature": document.signature,
            "main_to": [r.organization_id for r in document.recipients.filter(kind="main")]}
    data.update(changes)
    return data


# 1. The 成文日期 (and a supervision deadline) written back as ISO 8601, the only value a date input shows.

def test_saving_a_draft_again_keeps_its_date_written(client, wuxi, draft):
    client.force_login(wuxi.clerk)
    saved = client.post(reverse("documents:detail", args=[draft.pk]), _elements(draft, written_on="2026-12-06"))
    assert saved.status_code == 302
    with translation.override("zh-hans"):
        page = client.get(reverse("documents:detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert 'type="date"' in html and 'value="2026-12-06"' in html and "2026/12/06" not in html


def test_the_supervision_deadline_is_written_back_as_iso(wuxi):
    with translation.override("zh-hans"):
        form = SupervisionItemForm(initial={"deadline": date(2026, 12, 6)},
                                   supervisors=Organization.objects.filter(pk=wuxi.government.pk))
        html = str(form["deadline"])
    assert 'type="date"' in html and 'value="2026-12-06"' in html


# 2. A step nobody could take next is refused, naming the role; the message names the next actor.

def test_sending_for_review_is_refused_when_nobody_holds_the_reviewer_role(client, wuxi, office_draft):
    clerk, document = office_draft
    with pytest.raises(ValidationFailed) as refused:
        document_transition(actor=clerk, document=document, to="reviewing")
    assert refused.value.extra == {"field": "to", "rule": "no_holder", "role": "reviewer",
                                   "organization": wuxi.office.pk}
    client.force_login(clerk)
    with translation.override("zh-hans"):
        page = client.post(reverse("documents:move", args=[document.pk]), {"to": "reviewing", "opinion": ""},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "无锡市人民政府办公室没有人担任办理下一步" in html and str(Role.REVIEWER.label) not in ("",)
    document.refresh_from_db()
    assert document.status == "drafting"


def test_after_each_step_the_message_names_the_next_actor(client, wuxi, draft):
    """One person holds the next step: the message names that person (the step in the page's
    language); several do: it names the organization where the step waits."""
    client.force_login(wuxi.clerk)
    with translation.override("en"):
        response = client.post(reverse("documents:move", args=[draft.pk]), {"to": "reviewing", "opinion": ""},
                               HTTP_ACCEPT_LANGUAGE="en")
        text = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert text == ["Done: Send for review.", "Next: Review (Reviewer, 核稿人王𠮷)"]
    _staff("gov-reviewer-2", "核稿人李四", wuxi.government, Role.REVIEWER)
    second = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于第二份的通知",
                            body="正文。", disclosure="proactive", main_to=[wuxi.finance])
    with translation.override("zh-hans"):
        response = client.post(reverse("documents:move", args=[second.pk]), {"to": "reviewing", "opinion": ""},
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
        text = [str(m) for m in get_messages(response.wsgi_request)]
    assert text[-2:] == ["已完成：送核稿。", "下一步：核稿（审查，无锡市人民政府）"]  # after the first post's two


# 3. The body is bounded; a body too long to print is refused at once.

def test_a_body_over_100000_characters_is_refused(wuxi, draft):
    with pytest.raises(ValidationFailed) as refused:
        document_update(actor=wuxi.clerk, document=draft, body="字" * 100_001)
    assert refused.value.extra["field"] == "body" and refused.value.extra["rule"] == "max_length"
    document_update(actor=wuxi.clerk, document=draft, body="字" * 100_000)


def test_the_preview_of_a_body_too_long_to_print_is_refused_quickly(client, wuxi, draft):
    OfficialDocument.objects.filter(pk=draft.pk).update(body_html="<p>" + "字" * 600_000 + "</p>")
    client.force_login(wuxi.clerk)
    started = time.monotonic()
    with translation.override("zh-hans"):
        response = client.get(reverse("documents:preview", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert time.monotonic() - started < 5
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "正文有600000个字，过长无法印制" in response.content.decode()


# 4. 公文 checks: 送会签 only with 会签单位; 成文日期 and title bounded.

def test_send_for_countersigning_is_offered_only_with_countersigning_organizations(client, wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    client.force_login(wuxi.reviewer)
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert 'value="countersigning"' not in page and 'value="signing"' in page
    _staff("police-leader", "公安局领导", wuxi.police, Role.APPROVER)
    document_update(actor=wuxi.reviewer, document=draft, countersigners=[wuxi.police])
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert 'value="countersigning"' in page


@freeze_time("2026-12-04 10:00:00+08:00")
@pytest.mark.parametrize(("written_on", "accepted"), [
    (date(2099, 1, 1), False), (date(1900, 1, 1), False), (date(1949, 9, 30), False),
    (date(1949, 10, 1), True), (date(2027, 12, 5), True), (date(2027, 12, 6), False),
])
def test_the_date_written_lies_between_1949_10_01_and_a_year_ahead(wuxi, draft, written_on, accepted):
    if accepted:
        document_update(actor=wuxi.clerk, document=draft, written_on=written_on)
        draft.refresh_from_db()
        assert draft.written_on == written_on
    else:
        with pytest.raises(ValidationFailed) as refused:
            document_update(actor=wuxi.clerk, document=draft, written_on=written_on)
        assert refused.value.extra == {"field": "written_on", "rule": "range"}


def test_a_title_over_100_characters_is_a_form_error(client, wuxi, draft):
    client.force_login(wuxi.clerk)
    with translation.override("zh-hans"):
        page = client.post(reverse("documents:detail", args=[draft.pk]), _elements(draft, title="标" * 400),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400
    assert "公文标题最多100个字（GB/T 9704-2012 第7.3.1条），此标题有400个字。" in page.content.decode()
    document_update(actor=wuxi.clerk, document=draft, title="标" * 100)


# 5. 督查督办: in the clerks' inbox, names in the history, deadline bounded, empty 催办 names its field.

@pytest.fixture
def item(wuxi):
    return sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="落实电子政务建设任务",
                                      requirement="按通知要求完成。", owner=wuxi.finance, deadline=date(2027, 6, 30))


def test_the_history_names_the_person_not_the_sign_in_name(client, wuxi, item):
    client.force_login(wuxi.clerk)
    page = client.get(reverse("documents:supervision", args=[item.pk]))
    names = [event["actor_label"] for event in page.context["events"]]
    assert names == ["文书刘芳"] and wuxi.clerk.username not in page.content.decode()


def test_a_deadline_of_9999_12_31_is_refused(client, wuxi):
    client.force_login(wuxi.clerk)
    with translation.override("zh-hans"):
        page = client.post(reverse("documents:supervision_new"), {
            "supervisor": wuxi.government.pk, "title": "督办", "requirement": "落实", "owner": wuxi.finance.pk,
            "deadline": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400 and "办理期限最多为2年以后" in page.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="x", requirement="y",
                                   owner=wuxi.finance, deadline=date(9999, 12, 31))
    assert refused.value.extra == {"field": "deadline", "rule": "range"}


def test_an_empty_reminder_names_the_field(client, wuxi, item):
    client.force_login(wuxi.clerk)
    with translation.override("zh-hans"):
        response = client.post(reverse("documents:supervision_step", args=[item.pk, "remind"]), {"note": " "},
                               HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    assert "请填写催办意见。" in response.content.decode()


def test_a_drafts_task_page_shows_the_document_and_the_process_by_name_and_no_claim(client, wuxi, draft):
    from egov.documents.process import outgoing_process

    task = outgoing_process(draft).tasks.get(bpmn_id="draft")
    client.force_login(wuxi.clerk)
    with translation.override("zh-hans"):
        page = client.get(reverse("workflow:task", args=[task.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and draft.title in html and "发文办理" in html
    assert "outgoing_document v" not in html and "待签收" not in html and ">签收<" not in html
    assert "拟稿" in html and f'action="/staff/tasks/{task.pk}/complete/"' in html
