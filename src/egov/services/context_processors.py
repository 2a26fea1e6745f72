"""``intake_nav``: whether the staff navigation links to the intake queue (/staff/cases/intake/)."""

from functools import cache

from egov.orgs.roles import Role


def intake_nav(request):
    """``intake_nav``: a callable giving True when the signed-in staff member is an operator
    (运维管理员) of some organization (the queue answers 404 to anyone else, so the link shows only to
    those who get the page). Worked out once per page, and only when a template shows it; False for
    anyone not signed in as staff."""

    @cache
    def allowed() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "kind", "") != "staff" or not user.is_active:
            return False
        from egov.orgs.models import Organization

        return Organization.objects.filter(memberships__user=user, memberships__roles__role=Role.OPERATOR).exists()

    return {"intake_nav": allowed}
