"""Who may see and act on requests for government information (deny by default).

The disclosure office of an agency (政府信息公开工作机构, 《政府信息公开条例》(2019) 第四条、第二十八条)
handles its requests: staff holding ``Role.DISCLOSURE_OFFICER`` (or ``DISCLOSURE_HEAD``) in the
agency itself. Staff of other agencies, and members of the agency without these roles, are not told
that a request exists (404). Only the head approves an extension (第三十三条第二款).
"""

from django.utils.translation import gettext as _

from egov.core.errors import NotFound, PermissionDenied
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role

OFFICE_ROLES = (Role.DISCLOSURE_OFFICER, Role.DISCLOSURE_HEAD)


def require_request_applicant(user, request) -> None:
    """Raise unless ``user`` is the request's applicant.

    Raises:
        NotFound: anyone else (not told that the request exists).
    """
    if user is None or not getattr(user, "is_active", False) or user.pk != request.applicant_id:
        raise NotFound(_("There is no such request."), extra={"field": "number"})


def office_agency_ids(user) -> list[int]:
    """The agencies in whose disclosure office ``user`` works (officer or head)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return []
    return list(RoleAssignment.objects.filter(membership__user=user, role__in=OFFICE_ROLES)
                .values_list("membership__organization_id", flat=True).distinct())


def require_office_staff(user, request) -> None:
    """Raise unless ``user`` works in the disclosure office of the request's agency.

    Raises:
        NotFound: staff of other agencies or without an office role (not told that it exists).
    """
    if request.agency_id not in office_agency_ids(user):
        raise NotFound(_("There is no such request."), extra={"field": "number"})


def require_office_head(user, agency: Organization) -> None:
    """Raise unless ``user`` heads the disclosure office of ``agency`` (extensions, 第三十三条第二款).

    Raises:
        PermissionDenied: naming the role needed.
    """
    if not has_role(user, agency, Role.DISCLOSURE_HEAD):
        raise PermissionDenied(
            _("This step needs the role %(role)s in %(organization)s.")
            % {"role": Role.DISCLOSURE_HEAD.label, "organization": agency},
            extra={"roles": [str(Role.DISCLOSURE_HEAD)]})
