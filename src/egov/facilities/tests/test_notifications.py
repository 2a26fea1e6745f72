"""Notifications: sent after commit, read by their recipient only, and the staff inbox."""

import pytest
from django.core import mail
from django.urls import reverse

from egov.core.errors import NotFound
from egov.facilities.models import Notification
from egov.facilities.notifications import (
    notification_send,
    notifications_mark_read,
    notifications_of,
    notifications_unread_count,
)


@pytest.fixture
def clerk(department, make_staff):
    return make_staff(department, email="clerk@example.cn")


@pytest.fixture
def person(citizen):
    """The citizen's account (the fixture gives the natural person)."""
    return citizen.user


def test_the_e_mail_goes_after_commit_and_once(clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_send(recipient=clerk, subject="督查事项 DC-1 即将到期", body="还有 3 个工作日。",
                                         link_name="facilities_staff:inbox")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a retried task sends nothing twice
    assert [m.to for m in mail.outbox] == [["clerk@example.cn"]]
    assert mail.outbox[0].subject == "督查事项 DC-1 即将到期"
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.url == "/staff/notifications/"


def test_a_subject_is_cut_at_200_characters_and_an_unknown_page_has_no_link(clerk):
    notification = notification_send(recipient=clerk, subject="办" * 250, body="x", link_name="nowhere:page")
    assert len(notification.subject) == 200 and notification.url == ""


def test_only_the_recipient_reads_and_marks(clerk, person):
    first = notification_send(recipient=clerk, subject="一", body="1")
    notification_send(recipient=clerk, subject="二", body="2")
    notification_send(recipient=person, subject="三", body="3")
    assert notifications_unread_count(user=clerk) == 2
    with pytest.raises(NotFound):
        notifications_mark_read(user=person, notification_id=first.pk)
    assert notifications_mark_read(user=clerk, notification_id=first.pk) == 1
    assert [n.subject for n in notifications_of(user=clerk, unread_only=True)] == ["二"]
    assert notifications_mark_read(user=clerk) == 1
    assert notifications_unread_count(user=clerk) == 0 and notifications_unread_count(user=person) == 1


def test_the_staff_inbox_lists_mine_with_the_unread_count(client, clerk, person):
    notification_send(recipient=clerk, subject="依申请公开 YSQ-20261127-0001 将到期", body="还有 2 个工作日。")
    notification_send(recipient=clerk, subject="会议通知 回执", body="请回执。")
    notification_send(recipient=person, subject="别人的消息", body="x")
    client.force_login(clerk)
    page = client.get(reverse("facilities_staff:inbox")).content.decode()
    assert "YSQ-20261127-0001" in page and "会议通知 回执" in page and "别人的消息" not in page
    assert "2 unread notifications" in page or "2 条未读消息" in page
    assert notifications_unread_count(user=clerk) == 0  # opening the page marked them read
    assert Notification.objects.filter(recipient=person, read_at__isnull=True).count() == 1


def test_mark_all_read_is_a_post_for_staff_only(client, clerk, person):
    notification_send(recipient=clerk, subject="一", body="1")
    client.force_login(person)
    assert client.post(reverse("facilities_staff:mark_all_read")).status_code == 302
    assert notifications_unread_count(user=clerk) == 1
    client.force_login(clerk)
    assert client.get(reverse("facilities_staff:mark_all_read")).status_code == 405
    assert client.post(reverse("facilities_staff:mark_all_read")).status_code == 302
    assert notifications_unread_count(user=clerk) == 0
