"""Wagtail admin hooks (Wagtail loads ``wagtail_hooks`` modules of installed apps itself).

Reviewers hold Wagtail's publish permission on their organization's section because the review task
publishes as the approving user. Publishing straight from the editor would publish the user's own
edit without a second person: it is refused (and its menu item hidden) for everyone but superusers,
so a page goes live only by another member's approval in the organization's review task
(``models_pages.OrganizationReviewTask``), by the scheduled run, or by a superuser.
"""

from django.core.exceptions import PermissionDenied
from wagtail import hooks

DIRECT_PUBLISH_ITEMS = {"action-publish"}


@hooks.register("before_publish_page")
def refuse_publishing_own_edit(request, page):
    """403 for a direct publication from the page editor (the user is its last editor)."""
    if not request.user.is_superuser:
        raise PermissionDenied


@hooks.register("construct_page_action_menu")
def hide_direct_publish(menu_items, request, context):
    """Keep "Save draft" and "Submit for review", drop "Publish" for everyone but superusers."""
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in DIRECT_PUBLISH_ITEMS]


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type, objects, action_class_instance):
    """Bulk publication from the page explorer is a direct publication too: refused likewise."""
    if action_type == "publish" and not request.user.is_superuser:
        raise PermissionDenied
