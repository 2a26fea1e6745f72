"""The supervision and meeting pages: lists, forms, steps, and 404 for other organizations."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from egov.documents import meetings as mt
from egov.documents import supervision as sv
from egov.documents.models import Meeting, SupervisionItem


@pytest.fixture
def item(wuxi):
    return sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="落实电子政务建设任务",
                                      requirement="按通知要求完成。", owner=wuxi.finance, deadline=date(2027, 6, 30))


def test_list_puts_overdue_first_then_by_deadline(client, wuxi, item):
    later = sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="后到期",
                                       requirement="x", owner=wuxi.finance, deadline=date(2027, 12, 31))
    late = sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="已逾期",
                                      requirement="x", owner=wuxi.finance, deadline=date(2028, 1, 1))
    SupervisionItem.objects.filter(pk=late.pk).update(overdue=True)
    client.force_login(wuxi.finance_clerk)
    page = client.get(reverse("documents:supervision_list"))
    assert [i.pk for i in page.context["items"]] == [late.pk, item.pk, later.pk]
    assert "govuk-tag--red" in page.content.decode()
    client.force_login(wuxi.police_clerk)
    assert client.get(reverse("documents:supervision_list")).context["items"] == []


def test_new_from_a_document_prefills_and_counts_working_days(client, wuxi, draft):
    client.force_login(wuxi.clerk)
    url = reverse("documents:supervision_new")
    page = client.get(url, {"document": draft.pk})
    assert page.status_code == 200 and page.context["form"].initial["title"] == draft.title
    response = client.post(url, {"document": draft.pk, "supervisor": wuxi.government.pk, "title": draft.title,
                                 "requirement": "落实通知", "owner": wuxi.finance.pk, "working_days": 5})
    item = SupervisionItem.objects.get()
    assert response.status_code == 302 and item.source_document == draft
    assert item.deadline == sv.deadline_in_working_days(5)
    assert item.deadline >= timezone.localdate() + timedelta(days=5)
    missing = client.post(url, {"supervisor": wuxi.government.pk, "title": "x", "requirement": "y",
                                "owner": wuxi.finance.pk})
    assert missing.status_code == 400 and "deadline" in missing.context["form"].errors
    client.force_login(wuxi.police_clerk)
    assert client.get(url, {"document": draft.pk}).status_code == 404


def test_owner_reports_with_an_attachment_others_get_404(client, wuxi, item):
    client.force_login(wuxi.finance_clerk)
    page = b"<html><script>alert(1)</script></html>"
    refused = SimpleUploadedFile("进展.pdf", page, content_type="application/pdf")  # named .pdf, HTML inside
    client.post(reverse("documents:supervision_step", args=[item.pk, "report"]),
                {"text": "资金已拨付", "percent": "60", "attachment": refused})
    assert not item.reports.exists()
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("进展.pdf", pdf, content_type="application/pdf")
    client.post(reverse("documents:supervision_step", args=[item.pk, "report"]),
                {"text": "资金已拨付", "percent": "60", "attachment": upload})
    report = item.reports.get()
    assert report.percent == 60 and report.attachment_name == "进展.pdf"
    item.refresh_from_db()
    assert item.status == "in_progress"
    download = client.get(reverse("documents:report_attachment", args=[item.pk, report.pk]))
    assert download.status_code == 200 and download.content == pdf
    # The history names the steps in the page's language, not by their audit action names.
    history = client.get(reverse("documents:supervision", args=[item.pk])).content.decode()
    assert "报送进展" in history and "documents.supervision.report" not in history
    # The owner cannot close: the step answers with the rule, the item stays open.
    response = client.post(reverse("documents:supervision_step", args=[item.pk, "close"]), {"note": "办结"},
                           follow=True)
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert any("文书" in str(m) or "document clerk" in str(m) for m in response.context["messages"])
    client.force_login(wuxi.police_clerk)
    for url in (reverse("documents:supervision", args=[item.pk]),
                reverse("documents:report_attachment", args=[item.pk, report.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("documents:supervision_step", args=[item.pk, "close"]), {"note": "x"}).status_code == 404
    client.force_login(wuxi.clerk)
    page = client.get(reverse("documents:supervision", args=[item.pk]))
    assert page.status_code == 200 and page.context["is_supervisor"] and "资金已拨付" in page.content.decode()
    client.post(reverse("documents:supervision_step", args=[item.pk, "close"]), {"note": "经核查已落实"})
    item.refresh_from_db()
    assert item.status == "closed"


def test_meeting_pages_from_creation_to_minutes(client, wuxi):
    client.force_login(wuxi.clerk)
    start = timezone.localtime() + timedelta(days=10)
    response = client.post(reverse("documents:meeting_new"), {
        "organizer": wuxi.government.pk, "title": "全市电子政务工作推进会", "place": "市政府第一会议室",
        "starts_at": start.strftime("%Y-%m-%dT09:00"), "ends_at": start.strftime("%Y-%m-%dT11:00"),
        "reply_due": (start - timedelta(days=2)).strftime("%Y-%m-%dT17:00"),
        "agenda": "通报进展｜市政府办公室\n部署工作|副市长赵强", "invited": [wuxi.finance.pk, wuxi.education.pk],
        "attendees_asked": "2"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert [(a.topic, a.presenter) for a in meeting.agenda.all()] == [("通报进展", "市政府办公室"),
                                                                      ("部署工作", "副市长赵强")]
    client.post(reverse("documents:meeting_step", args=[meeting.pk, "notice"]))
    client.force_login(wuxi.finance_clerk)
    inbox = client.get(reverse("documents:meeting_notices"))
    (invitation,) = inbox.context["invitations"]
    page = client.get(reverse("documents:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and len(page.context["reply_forms"]) == 1
    prefix = f"i{invitation.pk}"
    # Three attendees where two were asked for: refused, and the form comes back as typed.
    refused = client.post(reverse("documents:meeting_step", args=[meeting.pk, "reply"]), {
        "invitation": invitation.pk, f"{prefix}-attending": "yes", f"{prefix}-note": "分管领导出差",
        f"{prefix}-attendees": "钱伟，办公室主任\n孙丽，科员\n周强，科员"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "分管领导出差" in html and "周强，科员" in html
    invitation.refresh_from_db()
    assert invitation.replied_at is None
    client.post(reverse("documents:meeting_step", args=[meeting.pk, "reply"]), {
        "invitation": invitation.pk, f"{prefix}-attending": "yes", f"{prefix}-attendees": "钱伟，办公室主任"})
    invitation.refresh_from_db()
    assert invitation.attending is True and invitation.attendees == [{"name": "钱伟", "position": "办公室主任"}]
    client.force_login(wuxi.police_clerk)
    assert client.get(reverse("documents:meeting", args=[meeting.pk])).status_code == 404
    client.force_login(wuxi.clerk)
    table = client.get(reverse("documents:meeting", args=[meeting.pk]))
    assert table.context["replied"] == 1 and table.context["pending"] == 1 and "钱伟" in table.content.decode()
    client.post(reverse("documents:meeting_step", args=[meeting.pk, "minutes"]))  # 10 days ahead: refused
    meeting.refresh_from_db()
    assert meeting.minutes is None
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2),
                                                 ends_at=timezone.now() - timedelta(hours=1))
    client.post(reverse("documents:meeting_step", args=[meeting.pk, "minutes"]))
    meeting.refresh_from_db()
    assert meeting.minutes.kind == "minutes"
    page = client.get(reverse("documents:meeting", args=[meeting.pk])).content.decode()
    assert 'id="minutes-state"' in page and meeting.minutes.title in page
    assert mt.meeting_get(actor=wuxi.clerk, pk=meeting.pk).minutes == meeting.minutes


def test_from_this_document_link_only_for_document_clerks(client, wuxi, draft):
    link = f'{reverse("documents:supervision_new")}?document={draft.pk}'
    client.force_login(wuxi.clerk)
    assert link in client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    client.force_login(wuxi.reviewer)
    assert link not in client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert client.get(link).status_code == 404


def test_list_shows_open_items_50_a_page_filtered_by_status_owner_overdue_and_words(client, wuxi):
    for index in range(55):
        sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title=f"财政事项{index}",
                                   requirement="落实", owner=wuxi.finance, deadline=date(2027, 6, 1))
    education = sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="教育督办",
                                           requirement="校舍安全检查", owner=wuxi.education,
                                           deadline=date(2027, 6, 2))
    closed = sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="已办结事项",
                                        requirement="x", owner=wuxi.finance, deadline=date(2027, 6, 3))
    SupervisionItem.objects.filter(pk=closed.pk).update(status="closed")
    SupervisionItem.objects.filter(pk=education.pk).update(overdue=True)
    client.force_login(wuxi.clerk)
    url = reverse("documents:supervision_list")
    first = client.get(url)
    assert first.context["page"].paginator.count == 56  # 55 + 1 open, the closed one left out
    assert len(first.context["items"]) == 50 and first.context["items"][0].pk == education.pk  # overdue first
    assert len(client.get(url, {"page": 2}).context["items"]) == 6
    assert [i.pk for i in client.get(url, {"status": "closed"}).context["items"]] == [closed.pk]
    assert client.get(url, {"status": "all"}).context["page"].paginator.count == 57
    assert [i.pk for i in client.get(url, {"owner": wuxi.education.pk}).context["items"]] == [education.pk]
    assert [i.pk for i in client.get(url, {"overdue": "on"}).context["items"]] == [education.pk]
    assert [i.pk for i in client.get(url, {"q": "校舍"}).context["items"]] == [education.pk]
    page = client.get(url, {"owner": wuxi.finance.pk, "page": 2})
    assert len(page.context["items"]) == 5 and f"owner={wuxi.finance.pk}&amp;page=1" in page.content.decode()
    assert "筛选" in first.content.decode() and "过滤器" not in first.content.decode()
    with translation.override("zh-hans"):  # the other lists' buttons ({% translate "Filter" %}) too
        assert translation.gettext("Filter") == "筛选"


def test_new_item_refuses_a_date_and_days_together_and_the_owner_as_co_owner(client, wuxi):
    client.force_login(wuxi.clerk)
    url = reverse("documents:supervision_new")
    both = client.post(url, {"supervisor": wuxi.government.pk, "title": "x", "requirement": "y",
                             "owner": wuxi.finance.pk, "deadline": "2027-06-30", "working_days": 5})
    assert both.status_code == 400 and "working_days" in both.context["form"].errors
    owner_too = client.post(url, {"supervisor": wuxi.government.pk, "title": "x", "requirement": "y",
                                  "owner": wuxi.finance.pk, "co_owners": [wuxi.finance.pk, wuxi.education.pk],
                                  "deadline": "2027-06-30"})
    assert owner_too.status_code == 400 and "co_owners" in owner_too.context["form"].errors
    assert not SupervisionItem.objects.exists()


def test_meeting_agenda_line_with_only_a_presenter_is_an_error(client, wuxi):
    client.force_login(wuxi.clerk)
    start = timezone.localtime() + timedelta(days=10)
    response = client.post(reverse("documents:meeting_new"), {
        "organizer": wuxi.government.pk, "title": "推进会", "place": "第一会议室",
        "starts_at": start.strftime("%Y-%m-%dT09:00"), "ends_at": start.strftime("%Y-%m-%dT11:00"),
        "reply_due": (start - timedelta(days=2)).strftime("%Y-%m-%dT17:00"),
        "agenda": "通报进展｜市政府办公室\n｜只有汇报人", "invited": [wuxi.finance.pk], "attendees_asked": "1"})
    assert response.status_code == 400 and "agenda" in response.context["form"].errors
    assert "｜只有汇报人" in str(response.context["form"].errors["agenda"])
    assert not Meeting.objects.exists()


def test_meeting_history_is_in_chinese(client, wuxi):
    start = timezone.now() + timedelta(days=10)
    meeting = mt.meeting_create(actor=wuxi.clerk, organizer=wuxi.government, title="推进会", starts_at=start,
                                ends_at=start + timedelta(hours=2), place="第一会议室",
                                reply_due=start - timedelta(days=2), agenda=[("通报进展", "")],
                                invited=[(wuxi.finance, 2), (wuxi.education, 1)])
    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    mt.meeting_reply(actor=wuxi.finance_clerk, invitation=meeting.invitations.get(organization=wuxi.finance),
                     attending=True, attendees=[{"name": "钱伟", "position": "主任"}, {"name": "李明", "position": ""}])
    client.force_login(wuxi.clerk)
    events = client.get(reverse("documents:meeting", args=[meeting.pk])).context["events"]
    assert [(e["what"], e["details"]) for e in events][1:] == [("发出会议通知", "发给2个单位"),
                                                              ("回执", "无锡市财政局：参加，2人")]


def test_a_report_attachment_is_typed_by_its_checked_bytes_not_its_name(client, wuxi, item):
    """Issue 17: PDF bytes uploaded as ``.html`` with a text/html header were served as text/html
    (the type was guessed from the name)."""
    client.force_login(wuxi.finance_clerk)
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("进展.html", pdf, content_type="text/html")
    client.post(reverse("documents:supervision_step", args=[item.pk, "report"]),
                {"text": "资金已拨付", "percent": "60", "attachment": upload})
    report = item.reports.get()
    download = client.get(reverse("documents:report_attachment", args=[item.pk, report.pk]))
    assert download.status_code == 200 and download.content == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''%E8%BF%9B%E5%B1%95.pdf"
