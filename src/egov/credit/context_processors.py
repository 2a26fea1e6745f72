"""``credit_nav``: which credit pages the signed-in staff member may use, for the staff navigation."""

from functools import cache

from egov.credit.permissions import CHECK_ROLES, ENTER_ROLES, roles_held
from egov.orgs.roles import Role


def credit_nav(request):
    """``credit_nav``: ``{"enter", "office", "check"}`` (bools) — may enter records (``providers_of``: one of
    ``ENTER_ROLES`` somewhere), is the credit office (``Role.CREDIT_OFFICER``, the objections and repairs), may
    ask for reports and run checks (``checkers_of``: one of ``CHECK_ROLES``). Each link shows only to those
    who get the page rather than 403 (tester's Low 3). Worked out once per page, and only when a template
    shows it; all False for anyone not signed in as staff."""

    @cache
    def allowed() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "kind", "") != "staff":
            return {"enter": False, "office": False, "check": False}
        roles = {role for _organization, role in roles_held(user, {*ENTER_ROLES, *CHECK_ROLES, Role.CREDIT_OFFICER})}
        return {
            "enter": bool(roles & set(ENTER_ROLES)),
            "office": Role.CREDIT_OFFICER in roles,
            "check": bool(roles & set(CHECK_ROLES)),
        }

    return {"credit_nav": allowed}
