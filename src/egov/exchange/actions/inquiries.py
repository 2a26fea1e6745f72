"""Questions about reads of one's data (数据使用异议, issue 20 item 3): asked by the person, answered
by the reading organization within a working-day deadline, with a reminder the working day before;
each step audited and told (站内消息)."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.audit.models import SubjectRead
from egov.core import workdays
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.exchange.actions.notices import organization_notify
from egov.exchange.models import ReadInquiry
from egov.exchange.permissions import may_act_for
from egov.exchange.reads import subjects_of
from egov.facilities.notifications import in_both_languages, notification_send
from egov.orgs.models import Organization
from egov.workflow.selectors import work_calendar

TEXT_LIMIT = 2000  # characters of a question or an answer


def read_inquiry_due(asked_on: dt.date) -> dt.date:
    """The day an answer is due: ``EGOV_READ_INQUIRY_DAYS`` working days after ``asked_on`` (the
    day asked not counted; the platform's working-day calendar, 调休 days worked included)."""
    return workdays.working_days_add(asked_on, settings.EGOV_READ_INQUIRY_DAYS, calendar=work_calendar())


def read_inquiry_ask(*, actor, read_id: int, text: str = "") -> ReadInquiry:
    """``actor`` asks the organization that made read ``read_id`` of their data about it.

    Args:
        actor: a verified citizen or enterprise whose data the read was (``reads.subjects_of``).
        read_id: the ``SubjectRead``'s id.
        text: what they want to know (optional, at most ``TEXT_LIMIT`` characters).

    Returns:
        The ``ReadInquiry`` (the one already asked when the person asks about the same read again).

    Raises:
        NotFound: no such read of the actor's data (another person's read is not found either).
        ValidationFailed: the reader is not an organization of the platform (``field = read``), or
            the text is too long or holds bidirectional controls (``field = text``).
    """
    read = SubjectRead.objects.filter(pk=read_id, subject__in=subjects_of(actor)).first()
    if read is None:
        raise NotFound(_("No such read of your data."), extra={"field": "read"})
    text = text_clean(text, field="text", limit=TEXT_LIMIT, required=False, label=_("your question"))
    organization = Organization.objects.filter(pk=read.organization_id).first() if read.organization_id else None
    if organization is None:
        raise ValidationFailed(_("This read was made by an organization outside the platform: write to the city's "
                                 "data office about it."), extra={"field": "read"})
    existing = ReadInquiry.objects.filter(read=read, asked_by=actor).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            inquiry = ReadInquiry.objects.create(read=read, asked_by=actor, organization=organization, text=text,
                                                 asked_at=now, due_on=read_inquiry_due(timezone.localdate(now)))
            audit_record(action="exchange.read_inquiry.ask", actor=actor, organization=organization, obj=inquiry,
                         summary=f"question about read {read.pk} ({read.case or read.action})",
                         changes={"read": read.pk, "due_on": inquiry.due_on.isoformat(), "text": bool(text)})
            organization_notify(
                organization=organization,
                compose=lambda: (_("A person asks about a read of their data"),
                                 _("A person asks why your organization read their data on %(when)s (%(case)s). "
                                   "Answer by %(due)s.") % {"when": timezone.localtime(read.occurred_at)
                                                            .strftime("%Y-%m-%d %H:%M"),
                                                            "case": read.case or "—", "due": inquiry.due_on}),
                link_name="exchange_read_inquiries:inquiry", link_args=[str(inquiry.pk)])
    except IntegrityError:  # the same person asked the same in a parallel request
        return ReadInquiry.objects.get(read=read, asked_by=actor)
    return inquiry


def read_inquiry_answer(*, actor, inquiry: ReadInquiry, answer: str) -> ReadInquiry:
    """The reading organization answers a person's question; the person is told.

    Raises:
        PermissionDenied: ``actor`` is not a data steward or operator of the organization asked.
        Conflict: the question is answered already.
        ValidationFailed: no answer, or too long (``field = answer``).
    """
    if not may_act_for(actor, inquiry.organization):
        raise PermissionDenied(_("Only the data stewards and operators of the organization asked may answer."))
    answer = text_clean(answer, field="answer", limit=TEXT_LIMIT, label=_("the answer"))
    with transaction.atomic():
        inquiry = ReadInquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.status != ReadInquiry.Status.OPEN:
            raise Conflict(_("This question is answered already."), extra={"status": inquiry.status})
        inquiry.status, inquiry.answer = ReadInquiry.Status.ANSWERED, answer
        inquiry.answered_at, inquiry.answered_by = timezone.now(), actor
        inquiry.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        audit_record(action="exchange.read_inquiry.answer", actor=actor, organization=inquiry.organization,
                     obj=inquiry, summary=f"question {inquiry.pk} answered",
                     changes={"status": ["open", "answered"], "late": timezone.localdate() > inquiry.due_on})
        texts = in_both_languages(lambda: (
            _("Your question about a read of your data is answered"),
            _("%(organization)s answered your question about its read of your data.")
            % {"organization": inquiry.organization.local_name}))
        notification_send(recipient=inquiry.asked_by, **texts, link_name="exchange_reads:mine")
    return inquiry


def read_inquiries_remind(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind the organizations of open questions due within one working day (once per question).

    Returns:
        ``{"read_inquiries_reminded": n}``.
    """
    today = today or timezone.localdate()
    calendar = work_calendar()
    reminded = 0
    for inquiry in ReadInquiry.objects.filter(status=ReadInquiry.Status.OPEN, reminded_on__isnull=True,
                                              due_on__gte=today).select_related("organization"):
        if workdays.working_days_between(today, inquiry.due_on, calendar=calendar) > 1:
            continue
        with transaction.atomic():
            inquiry.reminded_on = today
            inquiry.save(update_fields=["reminded_on"])
            organization_notify(
                organization=inquiry.organization,
                compose=lambda inquiry=inquiry: (
                    _("A question about a read of personal data is due"),
                    _("A person's question about a read of their data is due on %(due)s.") % {"due": inquiry.due_on}),
                link_name="exchange_read_inquiries:inquiry", link_args=[str(inquiry.pk)])
            audit_record(action="exchange.read_inquiry.remind", organization=inquiry.organization, obj=inquiry,
                         summary=f"question {inquiry.pk} due {inquiry.due_on}")
        reminded += 1
    return {"read_inquiries_reminded": reminded}
