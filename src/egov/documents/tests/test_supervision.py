"""督查督办: deadlines in working days, the daily reminders, who may report, close and see.

Dates are worked out by hand on the State Council's 2025 holiday schedule (国办发明电〔2024〕12号):
国庆节/中秋节 10-01…10-08 off, Saturday 10-11 worked (调休上班).
"""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.documents import supervision as sv
from egov.documents.models import SupervisionItem, SupervisionReminder


@pytest.fixture
def make_item(wuxi):
    def make(deadline: date, title: str = "落实电子政务建设任务", **fields):
        with freeze_time("2025-09-26 09:00:00+08:00"):
            return sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title=title,
                                              requirement="按通知要求完成并报告进展。", owner=wuxi.finance,
                                              deadline=deadline, **fields)
    return make


def test_three_working_days_over_national_day(wuxi):
    # From Tue 2025-09-30: 10-01…10-08 off; 10-09 (1), 10-10 (2), Sat 10-11 worked (3).
    assert sv.deadline_in_working_days(3, today=date(2025, 9, 30)) == date(2025, 10, 11)
    # From Fri 2025-09-26: Sun 09-28 worked (1), 09-29 (2), 09-30 (3), then 10-09 (4).
    assert sv.deadline_in_working_days(4, today=date(2025, 9, 26)) == date(2025, 10, 9)
    with pytest.raises(ValidationFailed):
        sv.deadline_in_working_days(0, today=date(2025, 9, 30))


def test_create_is_audited_and_owner_and_supervisor_see_it_others_not(wuxi, make_item):
    item = make_item(date(2025, 10, 10), co_owners=[wuxi.education, wuxi.finance])
    assert item.status == "assigned" and list(item.co_owners.all()) == [wuxi.education]
    assert AuditEvent.objects.filter(action="documents.supervision.create", object_id=str(item.pk)).count() == 1
    assert sv.supervision_item_get(actor=wuxi.finance_clerk, pk=item.pk) == item
    assert sv.supervision_item_get(actor=wuxi.clerk, pk=item.pk) == item
    with pytest.raises(NotFound):
        sv.supervision_item_get(actor=wuxi.police_clerk, pk=item.pk)
    assert list(sv.supervision_items_for(actor=wuxi.police_clerk)) == []


def test_only_a_clerk_of_the_supervisor_creates(wuxi):
    with pytest.raises(PermissionDenied):
        sv.supervision_item_create(actor=wuxi.finance_clerk, supervisor=wuxi.government, title="x",
                                   requirement="y", owner=wuxi.finance, deadline=date(2027, 1, 1))


def test_daily_reminders_over_the_holiday(wuxi, make_item, settings):
    settings.EGOV_SUPERVISION_REMIND_DAYS = 3
    a = make_item(date(2025, 10, 10), "A")  # 2 working days from 09-30 (10-09, 10-10)
    b = make_item(date(2025, 10, 13), "B")  # 4 from 09-30 (10-09, 10-10, 10-11, 10-13)
    c = make_item(date(2025, 9, 29), "C")
    d = make_item(date(2025, 9, 30), "D")  # due today: 0 left
    e = make_item(date(2025, 9, 29), "E")
    f = make_item(date(2025, 10, 10), "F")
    with freeze_time("2025-09-26 10:00:00+08:00"):
        sv.supervision_request_completion(actor=wuxi.finance_clerk, item=e, text="已完成")
        sv.supervision_close(actor=wuxi.clerk, item=e, note="办结")
        sv.supervision_request_completion(actor=wuxi.finance_clerk, item=f, text="已完成")

    run = sv.supervision_reminders_send(today=date(2025, 9, 30))
    assert sorted(run.due_soon) == sorted([a.pk, d.pk])
    assert run.overdue == [c.pk] and run.flagged == [c.pk]
    assert SupervisionItem.objects.get(pk=c.pk).overdue is True
    assert not SupervisionItem.objects.get(pk=d.pk).overdue
    reminder = SupervisionReminder.objects.get(item=a)
    assert list(reminder.notified.all()) == [wuxi.finance_clerk] and reminder.kind == "due_soon"

    again = sv.supervision_reminders_send(today=date(2025, 9, 30))
    assert again.due_soon == [] and again.overdue == [] and again.flagged == []
    assert SupervisionReminder.objects.count() == 3

    holiday = sv.supervision_reminders_send(today=date(2025, 10, 3))
    assert holiday.due_soon == [] and holiday.overdue == []

    # Thu 10-09: A has 1 working day left, B 3 (10-10, Sat 10-11, 10-13); C and D are overdue.
    later = sv.supervision_reminders_send(today=date(2025, 10, 9))
    assert sorted(later.due_soon) == sorted([a.pk, b.pk])
    assert sorted(later.overdue) == sorted([c.pk, d.pk]) and later.flagged == [d.pk]
    assert SupervisionReminder.objects.count() == 7
    assert AuditEvent.objects.filter(action="documents.supervision.overdue").count() == 2


def test_report_close_and_return(wuxi, make_item):
    item = make_item(date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        sv.supervision_report(actor=wuxi.clerk, item=item, text="督查室不能代报")
    report = sv.supervision_report(actor=wuxi.finance_clerk, item=item, text="已召开专题会部署", percent=30)
    item.refresh_from_db()
    assert item.status == "in_progress" and report.organization == wuxi.finance and report.percent == 30
    with pytest.raises(ValidationFailed):
        sv.supervision_report(actor=wuxi.finance_clerk, item=item, text="x", percent=101)
    sv.supervision_request_completion(actor=wuxi.finance_clerk, item=item, text="全部完成")
    with pytest.raises(PermissionDenied):
        sv.supervision_close(actor=wuxi.finance_clerk, item=item, note="自己办结")
    sv.supervision_return(actor=wuxi.clerk, item=item, reasons="缺少资金拨付凭证")
    item.refresh_from_db()
    assert item.status == "returned"
    with pytest.raises(Conflict):
        sv.supervision_close(actor=wuxi.clerk, item=item, note="办结")
    sv.supervision_request_completion(actor=wuxi.finance_clerk, item=item, text="补充凭证")
    sv.supervision_close(actor=wuxi.clerk, item=item, note="经核查已落实，予以办结。")
    item.refresh_from_db()
    assert item.status == "closed" and item.closing_note == "经核查已落实，予以办结。"
    actions = list(AuditEvent.objects.filter(object_type="documents.supervisionitem", object_id=str(item.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["documents.supervision.create", "documents.supervision.report",
                       "documents.supervision.request_completion", "documents.supervision.return",
                       "documents.supervision.request_completion", "documents.supervision.close"]


def test_manual_reminder_needs_the_supervisor_and_a_note(wuxi, make_item):
    item = make_item(date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        sv.supervision_remind(actor=wuxi.finance_clerk, item=item, note="x")
    with pytest.raises(ValidationFailed):
        sv.supervision_remind(actor=wuxi.clerk, item=item, note=" ")
    reminder = sv.supervision_remind(actor=wuxi.clerk, item=item, note="请于本周五前报送进展")
    assert reminder.kind == "manual" and list(reminder.notified.all()) == [wuxi.finance_clerk]
    sv.supervision_remind(actor=wuxi.clerk, item=item, note="再次催办")  # manual ones are not once a day
    assert item.reminders.count() == 2


def test_from_a_document_the_actor_cannot_see(wuxi, draft):
    with pytest.raises(NotFound):
        sv.supervision_item_create(actor=wuxi.police_clerk, supervisor=wuxi.police, title="x", requirement="y",
                                   owner=wuxi.finance, deadline=date(2027, 1, 1), source_document=draft)
    item = sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="x", requirement="y",
                                      owner=wuxi.finance, deadline=date(2027, 1, 1), source_document=draft)
    assert item.source_document == draft


def test_attachment_kind_by_magic_bytes():
    import io
    import zipfile

    from egov.facilities.files import detect_kind as attachment_kind

    def package(name: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, "<x/>")
        return buffer.getvalue()

    assert attachment_kind(b"%PDF-1.7\n") == "pdf"
    assert attachment_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert attachment_kind(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert attachment_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....") == "ole2"
    assert attachment_kind(package("OFD.xml")) == "ofd"
    assert attachment_kind(package("[Content_Types].xml")) == "ooxml"
    assert attachment_kind(package("evil.html")) is None
    assert attachment_kind(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>') is None
    assert attachment_kind(b"<!doctype html><html></html>") is None


def test_a_reminder_reaches_the_owners_clerks_inbox(wuxi, make_item):
    from egov.facilities.models import Notification

    item = make_item(date(2027, 1, 1))
    sv.supervision_remind(actor=wuxi.clerk, item=item, note="请于本周五前报送进展")
    told = Notification.objects.get(recipient=wuxi.finance_clerk)
    assert "2027-01-01" in told.subject and told.body.endswith("请于本周五前报送进展")
    assert told.url == f"/staff/documents/supervision/{item.pk}/"
    assert not Notification.objects.filter(recipient=wuxi.clerk).exists()


def test_a_reminder_reaches_the_co_owners_clerks_too(wuxi, make_item):
    """Found by a tester: 催办 reached the owner's clerks only; the co-owners (协办单位) report too."""
    from egov.accounts.actions import staff_user_create
    from egov.facilities.models import Notification
    from egov.orgs.roles import Role

    education_clerk = staff_user_create(actor=None, username="edu-clerk", name="教育局文书",
                                        password="Tq9-supervision-2026", organization=wuxi.education,
                                        roles=[Role.DOCUMENT_CLERK])
    item = make_item(date.today() + timedelta(days=30), co_owners=[wuxi.education])  # within the 2-year bound
    reminder = sv.supervision_remind(actor=wuxi.clerk, item=item, note="请于本周五前报送进展")
    assert set(reminder.notified.all()) == {wuxi.finance_clerk, education_clerk}
    assert Notification.objects.get(recipient=education_clerk).url == f"/staff/documents/supervision/{item.pk}/"
    assert not Notification.objects.filter(recipient=wuxi.police_clerk).exists()
