"""会议管理: the notice, the replies (回执) and their deadline, the minutes drafted as a 纪要."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.documents import meetings as mt
from egov.documents.actions import document_transition, document_update
from egov.documents.models import Invitation, Kind, Meeting
from egov.documents.supervision import supervision_item_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int) -> datetime:
    return datetime(2099, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def meeting(wuxi):
    return mt.meeting_create(
        actor=wuxi.clerk, organizer=wuxi.government, title="全市电子政务工作推进会", starts_at=at(10, 9),
        ends_at=at(10, 11), place="市政府第一会议室", reply_due=at(8, 17),
        agenda=[("通报电子政务建设进展", "市政府办公室"), ("部署下一阶段工作", "副市长赵强"), ("  ", "")],
        invited=[(wuxi.finance, 2), (wuxi.education, 1), (wuxi.government, 3)])


def test_create_orders_the_agenda_and_leaves_the_organizer_out(wuxi, meeting):
    assert [(a.position, a.topic, a.presenter) for a in meeting.agenda.all()] == [
        (1, "通报电子政务建设进展", "市政府办公室"), (2, "部署下一阶段工作", "副市长赵强")]
    assert {i.organization: i.attendees_asked for i in meeting.invitations.all()} == {wuxi.finance: 2,
                                                                                       wuxi.education: 1}
    with pytest.raises(PermissionDenied):
        mt.meeting_create(actor=wuxi.finance_clerk, organizer=wuxi.government, title="x", starts_at=at(10, 9),
                          ends_at=at(10, 10), place="x", reply_due=at(9, 9), agenda=[("x", "")],
                          invited=[(wuxi.finance, 1)])
    with pytest.raises(ValidationFailed) as error:
        mt.meeting_create(actor=wuxi.clerk, organizer=wuxi.government, title="x", starts_at=at(10, 9),
                          ends_at=at(10, 10), place="x", reply_due=at(11, 9), agenda=[("x", "")],
                          invited=[(wuxi.finance, 1)])
    assert error.value.extra["field"] == "reply_due"


def test_invited_see_it_only_once_the_notice_is_sent(wuxi, meeting):
    invitation = meeting.invitations.get(organization=wuxi.finance)
    with pytest.raises(NotFound):
        mt.meeting_get(actor=wuxi.finance_clerk, pk=meeting.pk)
    assert list(mt.meeting_notices_for(actor=wuxi.finance_clerk)) == []
    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    assert mt.meeting_get(actor=wuxi.finance_clerk, pk=meeting.pk) == meeting
    assert list(mt.meeting_notices_for(actor=wuxi.finance_clerk)) == [invitation]
    with pytest.raises(NotFound):
        mt.meeting_get(actor=wuxi.police_clerk, pk=meeting.pk)
    with pytest.raises(Conflict):
        mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)


def test_reply_by_the_deadline_and_a_late_one_refused(wuxi, meeting):
    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    invitation = meeting.invitations.get(organization=wuxi.finance)
    people = mt.attendees_parse("钱伟，办公室主任\n孙悦 预算处科员\n")
    assert people == [{"name": "钱伟", "position": "办公室主任"}, {"name": "孙悦", "position": "预算处科员"}]
    with pytest.raises(PermissionDenied):
        mt.meeting_reply(actor=wuxi.clerk, invitation=invitation, attending=True, attendees=people, now=at(7, 9))
    with pytest.raises(ValidationFailed):
        mt.meeting_reply(actor=wuxi.finance_clerk, invitation=invitation, attending=True,
                         attendees=people + [{"name": "第三人", "position": ""}], now=at(7, 9))
    mt.meeting_reply(actor=wuxi.finance_clerk, invitation=invitation, attending=True, attendees=people,
                     note="局长另有公务", now=at(8, 17))  # at the deadline itself: accepted
    invitation.refresh_from_db()
    assert invitation.attending is True and invitation.attendees == people
    with pytest.raises(Conflict) as late:
        mt.meeting_reply(actor=wuxi.finance_clerk, invitation=invitation, attending=False,
                         now=datetime(2099, 3, 8, 17, 1, tzinfo=SHANGHAI))
    assert late.value.extra["rule"] == "late"
    invitation.refresh_from_db()
    assert invitation.attending is True
    assert AuditEvent.objects.filter(action="documents.meeting.reply").count() == 1


def test_remind_those_who_did_not_reply(wuxi, meeting):
    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    finance = meeting.invitations.get(organization=wuxi.finance)
    mt.meeting_reply(actor=wuxi.finance_clerk, invitation=finance, attending=False, now=at(7, 9))
    reminded = mt.meeting_remind(actor=wuxi.clerk, meeting=meeting)
    assert [i.organization for i in reminded] == [wuxi.education]
    assert Invitation.objects.get(organization=wuxi.education).reminded_at is not None
    assert Invitation.objects.get(organization=wuxi.finance).reminded_at is None


def test_minutes_are_a_jiyao_in_the_first_step_to_the_attending(wuxi, meeting):
    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    finance = meeting.invitations.get(organization=wuxi.finance)
    education = meeting.invitations.get(organization=wuxi.education)
    mt.meeting_reply(actor=wuxi.finance_clerk, invitation=finance, attending=True,
                     attendees=[{"name": "钱伟", "position": "办公室主任"}], now=at(7, 9))
    mt.meeting_reply(actor=None, invitation=education, attending=False, now=at(7, 9))
    with pytest.raises(Conflict) as early:  # the day before the meeting: replies may still come
        mt.meeting_minutes_draft(actor=wuxi.clerk, meeting=meeting, now=at(9, 9))
    assert early.value.extra["rule"] == "not_started"
    document = mt.meeting_minutes_draft(actor=wuxi.clerk, meeting=meeting, now=at(10, 11))
    assert document.kind == Kind.MINUTES == "minutes"
    assert document.status == "drafting" and document.issuer == wuxi.government
    assert document.title == "全市电子政务工作推进会纪要"
    assert [(r.kind, r.organization) for r in document.recipients.all()] == [("main", wuxi.finance)]
    assert "一、通报电子政务建设进展（市政府办公室）" in document.body_html
    assert "二、部署下一阶段工作（副市长赵强）" in document.body_html
    meeting.refresh_from_db()
    assert meeting.minutes == document
    with pytest.raises(Conflict):
        mt.meeting_minutes_draft(actor=wuxi.clerk, meeting=meeting, now=at(10, 11))
    # The 纪要 goes on through the outgoing flow unchanged: its 公开属性 chosen at 拟稿, then 核稿.
    document_update(actor=wuxi.clerk, document=document, disclosure="on_request")
    assert document_transition(actor=wuxi.clerk, document=document, to="reviewing").status == "reviewing"
    # A supervision item from the meeting's decisions.
    item = supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="落实推进会议定事项",
                                   requirement="二、部署下一阶段工作", owner=wuxi.finance,
                                   deadline=date.today() + timedelta(days=30), source_meeting=meeting)
    assert list(meeting.supervision_items.all()) == [item]


def test_a_meeting_in_the_past_is_refused_and_a_passed_deadline_sends_no_notice(wuxi):
    args = {"actor": wuxi.clerk, "organizer": wuxi.government, "title": "x", "place": "y",
            "agenda": [("议题", "")], "invited": [(wuxi.finance, 1)]}
    with pytest.raises(ValidationFailed) as past:  # now 10 March 12:00, the meeting 10 March 9:00
        mt.meeting_create(starts_at=at(10, 9), ends_at=at(10, 11), reply_due=at(8, 17), now=at(10, 12), **args)
    assert (past.value.extra["field"], past.value.extra["rule"]) == ("starts_at", "past")
    with pytest.raises(ValidationFailed) as replies:  # now 9 March: the meeting ahead, replies were due 8 March
        mt.meeting_create(starts_at=at(10, 9), ends_at=at(10, 11), reply_due=at(8, 17), now=at(9, 9), **args)
    assert (replies.value.extra["field"], replies.value.extra["rule"]) == ("reply_due", "past")
    meeting = mt.meeting_create(starts_at=at(10, 9), ends_at=at(10, 11), reply_due=at(8, 17), now=at(7, 9), **args)
    with pytest.raises(Conflict) as late:
        mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting, now=at(8, 18))
    assert late.value.extra["rule"] == "past"
    assert mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting, now=at(8, 16)).notice_sent_at == at(8, 16)


def test_minutes_title():
    assert mt.minutes_title(Meeting(title="市政府第12次常务会议")) == "市政府第12次常务会议纪要"
    assert mt.minutes_title(Meeting(title="电子政务工作专题")) == "电子政务工作专题会议纪要"


def test_a_reminder_reaches_the_clerks_inbox(wuxi, meeting):
    from egov.facilities.models import Notification

    mt.meeting_notice_send(actor=wuxi.clerk, meeting=meeting)
    mt.meeting_remind(actor=wuxi.clerk, meeting=meeting)
    told = Notification.objects.get(recipient=wuxi.finance_clerk)
    assert meeting.title in told.subject and told.url == "/staff/documents/meetings/notices/"
    assert not Notification.objects.filter(recipient__in=[wuxi.police_clerk, wuxi.clerk]).exists()
