"""The two home pages: the public site's and the staff workbench's; the health check and the icon."""

from pathlib import Path

from django.db.models import Count, Q
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from egov.accounts.permissions import staff_required
from egov.accounts.selectors import may_verify_in_person
from egov.casework.inbox import inbox_rows
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.roles import Role
from egov.orgs.selectors import memberships_of, organization_tree
from egov.portal.pages_cache import anonymous_page
from egov.portal.permissions import office_agency_ids
from egov.portal.selectors import office_queue
from egov.portal.selectors_pages import home_news_html
from egov.services.selectors import life_event_groups
from egov.workflow.selectors import calendar_years_missing


def public_home(request):
    """What a visitor can do, the life events to start from (按主题办事), the organizations of the city,
    and the editors' part from the portal's Wagtail home page (introduction, latest news and notices:
    ``portal.selectors_pages.home_news_html``, cached until the next publication). Visitors not signed
    in get the whole page from the shared cache (``portal.pages_cache.anonymous_page``)."""
    return anonymous_page(request, render=lambda: render(request, "public_home.html", {
        "organizations": list(organization_tree()), "themes": life_event_groups(), "editorial": home_news_html()}))


@staff_required
def staff_home(request):
    """The member's organizations and roles, the inbox at a glance (tasks, cases and documents to
    sign for: ``casework.inbox``), for a disclosure office its open information requests, and for
    operators the years whose holiday schedule is missing; for intake clerks the window's real-name
    verification. The unread notifications are counted by
    the context processor ``facilities.context_processors.notifications``."""
    memberships = list(memberships_of(user=request.user))
    rows = inbox_rows(user=request.user)
    is_operator = RoleAssignment.objects.filter(membership__user=request.user, role=Role.OPERATOR).exists()
    requests = office_queue(user=request.user) if office_agency_ids(request.user) else None
    return render(request, "staff_home.html", {
        "requests_open": None if requests is None else len(requests),
        "requests_overdue": sum(1 for row in requests or [] if row.urgency == "overdue"),
        "memberships": memberships,
        "todo_count": len(rows),
        "overdue_count": sum(1 for row in rows if row.urgency == "overdue"),
        "calendar_years_missing": calendar_years_missing() if is_operator else [],
        "verifies_in_person": may_verify_in_person(user=request.user),
    })


FAVICON = Path(__file__).parent / "static" / "egov" / "favicon.ico"


@cache_control(public=True, max_age=86400)
def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page links: the platform's icon (the
    pages link ``egov/favicon.svg`` and this ICO, drawn alike)."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


def health(request):
    """Liveness for load balancers: 200 with the counts the operator looks at first."""
    counts = Organization.objects.aggregate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    return JsonResponse({"status": "ok", "organizations": counts["active"]})
