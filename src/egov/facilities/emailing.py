"""The e-mail of a notification, sent by the task ``facilities.notification_email`` after commit."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from egov.facilities.models import Notification


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
