"""Notifications (站内消息): a message in the site for one user and its e-mail after commit.

Every app tells people through ``notification_send``: the service hall its applicants, 依申请公开
its applicants and the disclosure office, 督查 and meetings their staff. The e-mail goes out from
the Celery task ``facilities.notification_email`` (it takes the notification's id) once the
caller's transaction commits, so a rolled-back change sends nothing. Messages are read later,
outside the request that caused them, in whichever language the reader then chooses: the caller
words each in the platform's language (``settings.LANGUAGE_CODE``, Chinese first) and in English
(``subject_en``/``body_en``, ``in_both_languages``, ``egov.core.i18n``); the e-mail is in the
platform's language.
"""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.facilities.models import Notification
from egov.facilities.tasks import notification_email


def in_both_languages(compose: Callable[[], tuple[str, str]]) -> dict[str, str]:
    """Word a message twice: ``compose()`` returns ``(subject, body)`` in the active language and is
    called once in the platform's language and once in English.

    Returns:
        ``{"subject", "body", "subject_en", "body_en"}``, keyword arguments of ``notification_send``.
    """
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = (str(text) for text in compose())
    with translation.override("en"):
        subject_en, body_en = (str(text) for text in compose())
    return {"subject": subject, "body": body, "subject_en": subject_en, "body_en": body_en}


def notification_send(*, recipient, subject: str, body: str, link_name: str = "",
                      link_args: Sequence[str] = (), subject_en: str = "", body_en: str = "") -> Notification:
    """Leave one message in the site for ``recipient`` and e-mail it after the caller's transaction
    commits (a rolled-back change sends nothing).

    Args:
        recipient: the user told (citizen, enterprise or staff).
        subject: one line (cut at 200 characters); body: the message, in the platform's language.
        subject_en, body_en: the same in English (``in_both_languages``), or "" when there is none
            (the reader then sees the platform's language).
        link_name, link_args: the page the message is about, as a URL name and its arguments
            (``"services:application"``, ``[number]``); resolved when shown (``Notification.url``).

    Returns:
        The notification, unread and not yet e-mailed.
    """
    notification = Notification.objects.create(recipient=recipient, subject=str(subject)[:200], body=str(body),
                                               subject_en=str(subject_en)[:300], body_en=str(body_en),
                                               link_name=link_name, link_args=[str(arg) for arg in link_args])
    transaction.on_commit(lambda pk=notification.pk: notification_email.delay(pk))
    return notification


def notifications_of(*, user, unread_only: bool = False):
    """The user's notifications (a queryset), newest first; only the unread ones with ``unread_only``."""
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def notifications_unread_count(*, user) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


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
