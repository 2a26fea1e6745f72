"""Notifications of status changes (办件状态通知): a message in the site for the applicant and an
e-mail sent after the transaction commits, through ``egov.facilities.notifications``.

Messages are written in the platform's language (``settings.LANGUAGE_CODE``, Chinese first): they
are read later, outside the request that caused them.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from egov.facilities.models import Notification
from egov.facilities.notifications import notification_send
from egov.services.models import Application


def _recipients(application: Application) -> list:
    """The applicant, and the agent who submitted for a legal person."""
    people = [application.applicant]
    if application.submitted_by_id != application.applicant_id:
        people.append(application.submitted_by)
    return people


def application_notify(*, application: Application, move_label, note: str = "") -> list[Notification]:
    """Tell the case's applicant (and its submitting agent) that its status changed; e-mail each after
    commit. ``move_label`` is the move's lazy label (``lifecycle.MOVE_LABELS``), rendered here in the
    platform's language. Called by ``lifecycle.application_move`` and ``applying.application_submit`` in their
    transaction, so a rolled-back change sends nothing.

    Returns:
        The notifications created (one per recipient).
    """
    with translation.override(settings.LANGUAGE_CODE):
        status = str(application.get_status_display())
        subject = _("Case %(number)s: %(status)s") % {"number": application.number, "status": status}
        lines = [_("%(item)s, case %(number)s.") % {"item": application.item.name, "number": application.number},
                 f"{move_label}：{status}"]
        if note:
            lines.append(note)
        body = "\n".join(str(line) for line in lines)
    return [notification_send(recipient=person, subject=subject, body=body, link_name="services:application",
                              link_args=[application.number])
            for person in _recipients(application)]
