"""Letters to the mayor (市长信箱): the whole flow on real PostgreSQL, deadlines worked by hand over
the 2026 schedule the migrations load (国庆 2026-10-01…07 off; Saturday 2026-10-10 a working day),
authorization, throttling, masking and publication."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from egov.core.masking import mask_personal_data
from egov.facilities.models import Notification
from egov.portal import actions_letters as actions
from egov.portal.models_letters import LetterStatus, Publication
from egov.portal.selectors_letters import letter_get_for_staff, letter_get_for_writer, letter_statistics, staff_queue
from egov.workflow.selectors import work_calendar

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_five_working_days_over_national_day():
    # Routed Tue 09-29: 09-30 (1); 10-01…10-07 off; 10-08 Thu (2), 10-09 Fri (3), 10-10 Sat worked (4);
    # 10-11 Sunday; 10-12 Mon (5).
    assert actions.letter_due_on(routed_on=date(2026, 9, 29), calendar=work_calendar(), days=5) == date(2026, 10, 12)


def test_routed_on_a_saturday_the_period_starts_monday():
    # Sat 11-07 → counted from Mon 11-09: 11-10 (1), 11 (2), 12 (3), 13 (4), 16 Mon (5).
    assert actions.letter_due_on(routed_on=date(2026, 11, 7), calendar=work_calendar(), days=5) == date(2026, 11, 16)


def test_the_whole_flow(mailbox):
    letter = mailbox.write(attachments=[SimpleUploadedFile("现场.png", PNG)])
    assert letter.status == LetterStatus.SUBMITTED and letter.number.startswith("SZXX-")
    assert letter.writer_name == "张𠮷明" and letter.attachments.get().name == "现场.png"
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing,
                                  today=date(2026, 11, 7))
    assert (letter.status, letter.organization, letter.due_on) == (LetterStatus.ROUTED, mailbox.housing,
                                                                    date(2026, 11, 16))
    assert Notification.objects.filter(recipient=mailbox.handler).exists()
    assert [row.letter for row in staff_queue(user=mailbox.handler, today=date(2026, 11, 9))["to_answer"]] == [letter]
    assert staff_queue(user=mailbox.other_handler, today=date(2026, 11, 9))["to_answer"] == []
    # The dispatcher follows every letter being handled: 5 working days left on Mon 11-09.
    [row] = staff_queue(user=mailbox.dispatcher, today=date(2026, 11, 9))["to_answer"]
    assert (row.letter, row.days_left, row.urgency) == (letter, 5, "on_time")
    # Reminder: 1 working day left on Fri 11-13 (11-16), none on Thu 11-12 (2 left); overdue from Tue 11-17.
    assert actions.letters_mark_overdue(today=date(2026, 11, 12)) == {"overdue": 0, "reminded": 0}
    assert actions.letters_mark_overdue(today=date(2026, 11, 13)) == {"overdue": 0, "reminded": 1}
    assert actions.letters_mark_overdue(today=date(2026, 11, 13)) == {"overdue": 0, "reminded": 0}
    assert actions.letters_mark_overdue(today=date(2026, 11, 16)) == {"overdue": 0, "reminded": 0}
    assert actions.letters_mark_overdue(today=date(2026, 11, 17)) == {"overdue": 1, "reminded": 0}
    assert AuditEvent.objects.filter(action="portal.letter.overdue", object_id=str(letter.pk)).exists()
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, today=date(2026, 11, 17),
                                   text="已责成街道约谈市场管理方，调整装卸时间。")
    assert letter.status == LetterStatus.ANSWERED and letter.answered_late
    letter = actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="satisfied", comment="谢谢")
    assert letter.status == LetterStatus.CLOSED
    moves = list(letter.events.values_list("move", flat=True))
    assert moves == ["write", "route", "answer", "rate"]
    for action in ("write", "route", "answer", "rate"):
        assert AuditEvent.objects.filter(action=f"portal.letter.{action}", object_id=str(letter.pk)).exists()
    stats = letter_statistics(today=date(2026, 11, 17))
    row = stats["organizations"][0]
    assert (row.label, row.letters, row.answered, row.on_time, row.on_time_rate, row.satisfaction_rate) == (
        mailbox.housing.name, 1, 1, 0, 0.0, 100.0)


def test_send_back_and_route_elsewhere(mailbox):
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing,
                                  today=date(2026, 11, 9))
    with pytest.raises(ValidationFailed):
        actions.letter_send_back(actor=mailbox.handler, letter=letter, reason=" ")
    letter = actions.letter_send_back(actor=mailbox.handler, letter=letter, reason="属城管职责")
    assert letter.status == LetterStatus.RETURNED and letter.return_reason == "属城管职责"
    assert Notification.objects.filter(recipient=mailbox.dispatcher).exists()
    with pytest.raises(ValidationFailed) as error:  # not back to the organization that sent it back
        actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    assert error.value.extra["rule"] == "sent_back"
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.urban,
                                  today=date(2026, 11, 10))
    assert (letter.organization, letter.due_on, letter.return_reason) == (mailbox.urban, date(2026, 11, 17), "")
    # The first organization's handler no longer sees it.
    with pytest.raises(NotFound):
        letter_get_for_staff(user=mailbox.handler, number=letter.number)


def test_dissatisfied_reopens_once(mailbox):
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing,
                                  today=date(2026, 11, 9))
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="已转街道处理。",
                                   today=date(2026, 11, 10))
    assert not letter.answered_late
    with pytest.raises(ValidationFailed):
        actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="fairly", reopen=True)
    letter = actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="dissatisfied", comment="没有解决",
                                 reopen=True, today=date(2026, 11, 11))
    # Reopened Wed 11-11: 12 (1), 13 (2), 16 (3), 17 (4), 18 (5).
    assert (letter.status, letter.organization, letter.due_on) == (LetterStatus.ROUTED, mailbox.housing,
                                                                    date(2026, 11, 18))
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="已调整装卸时间至七点后。",
                                   today=date(2026, 11, 12))
    with pytest.raises(Conflict) as error:
        actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="dissatisfied", reopen=True)
    assert error.value.extra["rule"] == "reopen_once"
    letter = actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="dissatisfied")
    assert letter.status == LetterStatus.CLOSED
    assert list(letter.events.values_list("move", flat=True)) == ["write", "route", "answer", "reopen", "answer",
                                                                   "rate"]


def test_authorization(mailbox):
    letter = mailbox.write()
    with pytest.raises(PermissionDenied):  # a handler cannot route
        actions.letter_route(actor=mailbox.handler, letter=letter, organization=mailbox.housing)
    with pytest.raises(PermissionDenied):  # a citizen cannot route
        actions.letter_route(actor=mailbox.citizen, letter=letter, organization=mailbox.housing)
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    for other in (mailbox.other_handler, mailbox.clerk, mailbox.citizen):  # another organization's handler, …
        with pytest.raises(NotFound):
            actions.letter_answer(actor=other, letter=letter, text="越权答复")
    with pytest.raises(PermissionDenied):  # the dispatcher routes but does not answer
        actions.letter_answer(actor=mailbox.dispatcher, letter=letter, text="代答")
    with pytest.raises(NotFound):
        letter_get_for_writer(user=mailbox.stranger, number=letter.number)
    with pytest.raises(NotFound):
        letter_get_for_staff(user=mailbox.other_handler, number=letter.number)
    with pytest.raises(NotFound):
        actions.letter_rate(actor=mailbox.stranger, letter=letter, rating="satisfied")
    with pytest.raises(PermissionDenied):  # staff do not write letters
        actions.letter_write(actor=mailbox.handler, topic="help", subject="x", body="y", publish_consent=False,
                             idempotency_key="staff-letter-01")


def test_bad_input(mailbox):
    for fields, field in (({"subject": ""}, "subject"), ({"body": "  "}, "body"), ({"body": "长" * 5001}, "body"),
                          ({"subject": "题" * 101}, "subject"), ({"topic": "lottery"}, "topic")):
        with pytest.raises(ValidationFailed) as error:
            mailbox.write(**fields)
        assert error.value.extra["field"] == field
    with pytest.raises(ValidationFailed) as error:  # a file that is not what it says (an executable named .png)
        mailbox.write(attachments=[SimpleUploadedFile("a.png", b"MZ\x90\x00" + b"\x00" * 60)])
    assert error.value.extra["field"] == "file"
    letter = mailbox.write(subject="<script>alert(1)</script>", body="<b>粗体</b><script>alert('x')</script>")
    assert letter.subject == "<script>alert(1)</script>"  # stored as typed; pages escape it


def test_a_flood_from_one_account_is_throttled(mailbox, settings):
    settings.EGOV_LETTERS_PER_ACCOUNT_HOUR = 2
    first = mailbox.write()
    mailbox.write(subject="第二封")
    with pytest.raises(TooManyRequests) as error:
        mailbox.write(subject="第三封")
    # The first letter leaves the hour's window 3600 s after it was written.
    assert 3590 <= error.value.retry_after <= 3600 and error.value.extra["rule"] == "rate_limit"
    assert "60" in error.value.message
    # The same form sent again is the same letter, not a new one: not throttled.
    assert actions.letter_write(actor=mailbox.citizen, topic=first.topic, subject=first.subject, body=first.body,
                                publish_consent=True, idempotency_key=first.idempotency_key) == first
    mailbox.stranger.refresh_from_db()
    mailbox.citizen = mailbox.stranger  # another account is not held back
    assert mailbox.write().writer == mailbox.stranger


def test_masking_by_hand():
    assert mask_personal_data("我叫王小明，住在梁溪区人民中路12号3栋501室，电话13912345678") == (
        "我叫王**，住在梁溪区人民中路**号*栋***室，电话139****5678")
    assert mask_personal_data("身份证320213199003074514，座机0510-85551234，邮箱 li@example.cn") == (
        "身份证3202**********4514，座机*********1234，邮箱 ***@example.cn")
    assert mask_personal_data("蠡湖大道一带路灯不亮") == "蠡湖大道一带路灯不亮"  # a road is no personal data
    assert mask_personal_data("张𠮷明反映噪音", known=["张𠮷明"]) == "张**反映噪音"
    assert mask_personal_data("欧阳修明来电", known=["欧阳修明"]) == "欧阳**来电"  # 复姓 kept whole


def test_publication_needs_consent_and_masks(mailbox):
    letter = mailbox.write(subject="张𠮷明反映噪音", body="我是张𠮷明，电话13912345678，住新吴区长江路7号2单元301室。")
    with pytest.raises(Conflict) as error:
        actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    assert error.value.extra["rule"] == "not_answered"
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="张𠮷明您好：已处理。")
    with pytest.raises(PermissionDenied):
        actions.letter_publication_decide(actor=mailbox.handler, letter=letter, publish=True)
    letter = actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    assert letter.publication == Publication.APPROVED and letter.is_published
    assert letter.public_subject == "张**反映噪音"
    assert letter.public_body == "我是张**，电话139****5678，住新吴区长江路*号*单元***室。"
    assert letter.public_answer == "张**您好：已处理。"
    unwilling = mailbox.write(publish_consent=False, subject="不公开")
    unwilling = actions.letter_route(actor=mailbox.dispatcher, letter=unwilling, organization=mailbox.housing)
    unwilling = actions.letter_answer(actor=mailbox.handler, letter=unwilling, text="已处理。")
    with pytest.raises(Conflict) as error:
        actions.letter_publication_decide(actor=mailbox.dispatcher, letter=unwilling, publish=True)
    assert error.value.extra["rule"] == "no_consent"
