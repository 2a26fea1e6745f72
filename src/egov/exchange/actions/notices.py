"""Telling the organizations on both sides of sharing: the data stewards and operators of an
organization each get a notification (``facilities.notifications``), worded in both languages."""

from collections.abc import Callable, Sequence

from egov.exchange.selectors import sharing_staff_of
from egov.facilities.notifications import in_both_languages, notification_send
from egov.orgs.models import Organization


def organization_notify(*, organization: Organization | None, compose: Callable[[], tuple[str, str]],
                        link_name: str, link_args: Sequence[str]) -> int:
    """Send ``compose()``'s ``(subject, body)`` to every sharing staff member of ``organization``
    (``exchange.selectors.sharing_staff_of``), inside the caller's transaction (e-mails after commit).

    Returns:
        How many people were told (0 for an organization unknown on the platform).
    """
    if organization is None:
        return 0
    texts = in_both_languages(compose)
    people = list(sharing_staff_of(organization=organization))
    for person in people:
        notification_send(recipient=person, link_name=link_name, link_args=list(link_args), **texts)
    return len(people)
