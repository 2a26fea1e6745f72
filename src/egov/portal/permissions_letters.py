"""Who may see and act on letters to the mayor (deny by default).

- The writer reads their own letters, rates the answer; nobody else's (404: not told it exists).
- A dispatcher (``Role.LETTER_DISPATCHER``, held in any organization, in practice 市政府办公室)
  sees every letter, routes it, re-routes a letter sent back, and decides publication.
- A handler (``Role.LETTER_HANDLER``) of the organization a letter is routed to answers it or sends
  it back; handlers of other organizations are not told that it exists (404).
"""

from django.utils.translation import gettext as _

from egov.core.errors import NotFound, PermissionDenied
from egov.orgs.models import RoleAssignment
from egov.orgs.roles import Role
from egov.portal.models_letters import LetterStatus


def _active(user) -> bool:
    return user is not None and getattr(user, "is_active", False) and getattr(user, "pk", None) is not None


def require_letter_writer(user, letter) -> None:
    """Raise unless ``user`` wrote ``letter``.

    Raises:
        NotFound: anyone else (not told that the letter exists).
    """
    if not _active(user) or user.pk != letter.writer_id:
        raise NotFound(_("There is no such letter."), extra={"field": "number"})


def is_dispatcher(user) -> bool:
    """True when ``user`` holds the dispatcher role in some organization."""
    return _active(user) and RoleAssignment.objects.filter(membership__user=user,
                                                           role=Role.LETTER_DISPATCHER).exists()


def handler_organization_ids(user) -> list[int]:
    """The organizations in which ``user`` is a letter handler."""
    if not _active(user):
        return []
    return list(RoleAssignment.objects.filter(membership__user=user, role=Role.LETTER_HANDLER)
                .values_list("membership__organization_id", flat=True).distinct())


def dispatcher_organization(user):
    """The organization in which ``user`` dispatches letters (the first by tree order), or None."""
    if not _active(user):
        return None
    row = (RoleAssignment.objects.filter(membership__user=user, role=Role.LETTER_DISPATCHER)
           .select_related("membership__organization").order_by("membership__organization__path").first())
    return row.membership.organization if row else None


def require_letter_staff(user, letter) -> None:
    """Raise unless ``user`` may see ``letter`` as staff: a dispatcher, or a handler of the
    organization it is routed to now (a letter sent back, waiting to be routed again, is no longer
    routed to the organization that sent it back).

    Raises:
        NotFound: other staff (not told that it exists).
    """
    if is_dispatcher(user):
        return
    if (letter.organization_id is None or letter.status == LetterStatus.RETURNED
            or letter.organization_id not in handler_organization_ids(user)):
        raise NotFound(_("There is no such letter."), extra={"field": "number"})


def require_dispatcher(user) -> None:
    """Raise unless ``user`` is a dispatcher.

    Raises:
        PermissionDenied: naming the role needed.
    """
    if not is_dispatcher(user):
        raise PermissionDenied(_("This step needs the role %(role)s.") % {"role": Role.LETTER_DISPATCHER.label},
                               extra={"roles": [str(Role.LETTER_DISPATCHER)]})


def require_handler(user, letter) -> None:
    """Raise unless ``user`` is a handler of the organization ``letter`` is routed to.

    Raises:
        NotFound: a handler elsewhere, or not a handler (a dispatcher is told it needs the role).
        PermissionDenied: a dispatcher without the handler role there.
    """
    if letter.organization_id is not None and letter.organization_id in handler_organization_ids(user):
        return
    if is_dispatcher(user):
        raise PermissionDenied(
            _("This step needs the role %(role)s in %(organization)s.")
            % {"role": Role.LETTER_HANDLER.label, "organization": letter.organization or "—"},
            extra={"roles": [str(Role.LETTER_HANDLER)]})
    raise NotFound(_("There is no such letter."), extra={"field": "number"})
