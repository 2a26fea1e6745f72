"""Notifications of status changes (办件状态通知): a message in the site for the applicant and an
e-mail sent after the transaction commits (Celery task ``services.notification_email``, which takes
the notification's id).

Messages are read later, outside the request that caused them, in whichever language the reader
then chooses: each is written in the platform's language (``settings.LANGUAGE_CODE``, Chinese
first) and in English (``subject_en``/``body_en``, ``egov.core.i18n``); the e-mail is in the
platform's language.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.services.models import Application, Notification


def _recipients(application: Application) -> list:
    """The applicant, and the agent who submitted for a legal person."""
    people = [application.applicant]
    if application.submitted_by_id != application.applicant_id:
        people.append(application.submitted_by)
    return people


def in_both_languages(compose: Callable[[], tuple[str, str]]) -> dict[str, str]:
    """Word a message twice: ``compose()`` returns ``(subject, body)`` in the active language and is
    called once in the platform's language and once in English.

    Returns:
        ``{"subject", "body", "subject_en", "body_en"}``, the keyword arguments of ``notification_send``.
    """
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = (str(text) for text in compose())
    with translation.override("en"):
        subject_en, body_en = (str(text) for text in compose())
    return {"subject": subject, "body": body, "subject_en": subject_en, "body_en": body_en}


def application_notify(*, application: Application, move_label, note: str | Callable[[], str] = ""
                       ) -> list[Notification]:
    """Tell the case's applicant (and its submitting agent) that its status changed; e-mail each after
    commit. ``move_label`` is the move's lazy label (``lifecycle.MOVE_LABELS``); ``note`` a typed note,
    or a function wording the platform's note in the active language. Both are rendered in the
    platform's language and in English (``in_both_languages``). Called by
    ``lifecycle.application_move`` and ``applying.application_submit`` in their transaction, so a
    rolled-back change sends nothing.

    Returns:
        The notifications created (one per recipient).
    """

    def compose() -> tuple[str, str]:
        status = str(application.get_status_display())
        subject = _("Case %(number)s: %(status)s") % {"number": application.number, "status": status}
        lines = [_("%(item)s, case %(number)s.") % {"item": application.item.local_name, "number": application.number},
                 _("%(move)s: %(status)s") % {"move": move_label, "status": status}]
        text = note() if callable(note) else note
        if text:
            lines.append(text)
        return subject, "\n".join(str(line) for line in lines)

    texts = in_both_languages(compose)
    return [notification_send(recipient=person, application=application, **texts)
            for person in _recipients(application)]


def notification_send(*, recipient, subject: str, body: str, application: Application | None = None,
                      subject_en: str = "", body_en: str = "") -> Notification:
    """Leave one message in the site for ``recipient`` and e-mail it after the caller's transaction
    commits (a rolled-back change sends nothing). Other apps (``portal``'s requests for government
    information) tell people through this one mechanism.

    Args:
        subject: one line (cut at 200 characters); body: the message, in the platform's language.
        subject_en, body_en: the same in English (``in_both_languages``), or "" when there is none
            (the reader then sees the platform's language).
        application: the case the message is about, or None for messages of other apps.
    """
    from egov.services.tasks import notification_email

    notification = Notification.objects.create(recipient=recipient, application=application,
                                               subject=str(subject)[:200], body=str(body),
                                               subject_en=str(subject_en)[:300], body_en=str(body_en))
    transaction.on_commit(lambda pk=notification.pk: notification_email.delay(pk))
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail of one notification, once; returns False when the recipient has no address or
    it was sent before (a retried task sends nothing twice)."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update().select_related("recipient")
                        .filter(pk=notification_id).first())
        if notification is None or notification.emailed_at is not None or not notification.recipient.email:
            return False
        send_mail(notification.subject, notification.body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def notifications_of(*, user, unread_only: bool = False):
    """The user's notifications, newest first."""
    rows = Notification.objects.filter(recipient=user).select_related("application")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one notification (or, with None, all) of ``user`` read; returns how many changed.

    Raises:
        NotFound: ``notification_id`` is not one of the user's.
    """
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(recipient=user, pk=notification_id).exists():
            raise NotFound(_("No such notification."), extra={"field": "notification"})
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())
