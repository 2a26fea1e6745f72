"""Notifications of status changes (办件状态通知): a message in the site for the applicant and an
e-mail sent after the transaction commits, through ``egov.facilities.notifications``.

Messages are read later, outside the request that caused them, in whichever language the reader
then chooses: each is written in the platform's language (``settings.LANGUAGE_CODE``, Chinese
first) and in English (``in_both_languages``, ``egov.core.i18n``).
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from egov.facilities.models import Notification
from egov.facilities.notifications import in_both_languages, notification_send
from egov.services.models import Application


def _recipients(application: Application) -> list:
    """The applicant, and the agent who submitted for a legal person."""
    people = [application.applicant]
    if application.submitted_by_id != application.applicant_id:
        people.append(application.submitted_by)
    return people


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
    return [notification_send(recipient=person, link_name="services:application", link_args=[application.number],
                              **texts)
            for person in _recipients(application)]
