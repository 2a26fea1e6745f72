"""Wagtail's admin, mounted on the staff site only (``egov.urls_staff``: ``/staff/cms/``).

Every admin view is wrapped: the staff sign-in (with MFA where the roles ask for it) first, then the
member's CMS groups are set from their ``orgs`` roles (``actions_pages.cms_user_sync``), and a staff
member without a web editor or reviewer role (and not a superuser) gets 403 — deny by default.
The user is remembered for the audit of publications made during the request (``cms_actor``).
"""

from functools import wraps

from csp.decorators import csp_update
from django.core.exceptions import PermissionDenied
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from egov.accounts.permissions import staff_required
from egov.portal.actions_pages import cms_user_sync
from egov.portal.pages_signals import cms_actor

# Some of Wagtail's admin pages run small inline scripts (the page explorer) and the rich-text editor
# adds style elements; the platform's policy
# allows none (docs/security.md). Allowed on the CMS's pages only, which only signed-in staff with a CMS
# role reach; every other page keeps the strict policy.
CMS_CSP = {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]}


def cms_member_required(view):
    """Staff with a CMS role only; sets the Wagtail groups from the roles before the view runs."""

    @staff_required
    @csp_update(CMS_CSP)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser and not cms_user_sync(user=request.user):
            raise PermissionDenied
        token = cms_actor.set(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            cms_actor.reset(token)

    return wrapper


urlpatterns = decorate_urlpatterns(list(wagtailadmin_urls.urlpatterns), cms_member_required)
