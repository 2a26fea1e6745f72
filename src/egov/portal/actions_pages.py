"""Writes around the portal's editorial pages (Wagtail): the page tree, who may edit and review
which organization's pages, scheduled publishing, and the audit of publications.

Who may do what in the CMS comes from ``orgs`` roles (deny by default): a ``WEB_EDITOR`` of an
organization gets its editors' group (add and change pages in the organization's section), a
``WEB_REVIEWER`` its reviewers' group (the section's review task). ``cms_user_sync`` keeps a staff
member's Wagtail groups equal to what their roles give, on every request to the CMS; reviewers hold
Wagtail's publish permission (the review task publishes as them) but publishing straight from the editor
is refused (``wagtail_hooks``), so a page goes live only through its organization's review.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from egov.audit.actions import audit_record
from egov.core.actors import SYSTEM, is_system
from egov.core.errors import PermissionDenied
from egov.facilities.readcache import scope_changed
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.roles import Role
from egov.portal.models_pages import (
    PAGES_SCOPE,
    HomePage,
    OrganizationIndexPage,
    OrganizationPage,
    OrganizationReviewTask,
    SectionIndexPage,
)

CMS_GROUP_PREFIX = "cms:"
EDITOR_PERMISSIONS = ("add_page", "change_page")
# The review task publishes as the approving reviewer, so reviewers hold publish_page; publishing straight
# from the editor is refused by egov.portal.wagtail_hooks.
REVIEWER_PERMISSIONS = ("change_page", "publish_page")


def cms_group_name(*, organization: Organization, role: Role) -> str:
    """``cms:<organization id>:<role>``: the Wagtail group of one organization's editors or reviewers."""
    return f"{CMS_GROUP_PREFIX}{organization.pk}:{role.value}"


def _group(name: str, codenames: tuple[str, ...], page: Page) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    return group


@transaction.atomic
def cms_tree_ensure(*, actor=SYSTEM) -> HomePage:
    """The site's tree: a home page at the root of the default ``Site``, the three section indexes
    and the organization index, created when missing (idempotent). Only the platform builds it.

    Returns the home page. Raises ``PermissionDenied`` for anyone but ``SYSTEM``.
    """
    if not is_system(actor):
        raise PermissionDenied(_("Only the platform builds the page tree."))
    home = HomePage.objects.first()
    created = home is None
    if home is None:
        # Wagtail's first migration makes the root; a database emptied since (a test's flush) has none.
        root = Page.get_first_root_node()
        if root is None:
            from wagtail.coreutils import get_supported_content_language_variant
            from wagtail.models import Locale

            Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
            root = Page.add_root(instance=Page(title="Root", slug="root"))
        # Wagtail's own welcome page (created by its first migration, slug "home") and its site go.
        Site.objects.filter(is_default_site=True).delete()
        for welcome in Page.objects.filter(depth=2).exact_type(Page):
            welcome.delete()
        root.refresh_from_db()
        home = root.add_child(instance=HomePage(title="首页", title_en="Home", slug="home"))
        public = urlsplit(settings.EGOV_PUBLIC_URL)  # the sitemap's absolute page addresses
        Site.objects.create(hostname=public.hostname or "localhost",
                            port=public.port or (443 if public.scheme == "https" else 80), root_page=home,
                            is_default_site=True, site_name="egov")
    sections = {"news": ("新闻动态", "News"), "notice": ("通知公告", "Notices"),
                "policy": ("政策解读", "Policy interpretations")}
    for kind, (title, title_en) in sections.items():
        if not SectionIndexPage.objects.filter(kind=kind).exists():
            home.add_child(instance=SectionIndexPage(title=title, title_en=title_en, slug=kind, kind=kind))
            created = True
    if not OrganizationIndexPage.objects.exists():
        home.add_child(instance=OrganizationIndexPage(title="政府机构", title_en="Organizations", slug="organizations"))
        created = True
    if created:  # a tree already complete changes nothing, and nothing is recorded
        audit_record(action="portal.page_tree.ensure", actor=actor, obj=home, summary="page tree built")
    return home


@transaction.atomic
def cms_section_ensure(*, organization: Organization, actor=SYSTEM) -> OrganizationPage:
    """The organization's section of the tree and its CMS rights, created when missing (idempotent):
    its ``OrganizationPage`` (live), the editors' and reviewers' groups with their page permissions on
    it, and a two-step workflow (editor submits → the organization's review task) assigned to it.

    Returns the organization page. Raises ``PermissionDenied`` for anyone but ``SYSTEM``.
    """
    if not is_system(actor):
        raise PermissionDenied(_("Only the platform sets up an organization's pages."))
    page = OrganizationPage.objects.filter(organization=organization).first()
    created = page is None
    if page is None:
        index = OrganizationIndexPage.objects.get()
        page = index.add_child(instance=OrganizationPage(
            title=organization.name, title_en=organization.name_en, slug=f"org-{organization.pk}",
            organization=organization))
    _group(cms_group_name(organization=organization, role=Role.WEB_EDITOR), EDITOR_PERMISSIONS, page)
    reviewers = _group(cms_group_name(organization=organization, role=Role.WEB_REVIEWER), REVIEWER_PERMISSIONS, page)
    workflow_name = f"审核 {organization.pk}"
    workflow = Workflow.objects.filter(name=workflow_name).first()
    if workflow is None:
        created = True
        workflow = Workflow.objects.create(name=workflow_name, active=True)
        task = OrganizationReviewTask.objects.create(name=f"网站内容审核 {organization.pk}", active=True)
        task.groups.set([reviewers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    _assignment, assigned = WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    if created or assigned:  # an organization's section already set up changes nothing, and nothing is recorded
        audit_record(action="portal.page_section.ensure", actor=actor, organization=organization, obj=page,
                     summary=f"CMS section of {organization.name}")
    return page


def cms_user_sync(*, user) -> list[str]:
    """Set the staff member's CMS groups (``cms:…``) to exactly those their ``WEB_EDITOR`` and
    ``WEB_REVIEWER`` roles give in organizations that have a section; other groups are left alone.

    Returns the group names held afterwards (empty: no access to the CMS, deny by default).
    """
    wanted = set()
    for organization_id, role in RoleAssignment.objects.filter(
            membership__user=user, role__in=[Role.WEB_EDITOR, Role.WEB_REVIEWER],
            membership__organization__portal_page__isnull=False).values_list("membership__organization_id", "role"):
        wanted.add(f"{CMS_GROUP_PREFIX}{organization_id}:{role}")
    held = set(user.groups.filter(name__startswith=CMS_GROUP_PREFIX).values_list("name", flat=True))
    if held != wanted:
        with transaction.atomic():
            user.groups.remove(*Group.objects.filter(name__in=held - wanted))
            user.groups.add(*Group.objects.filter(name__in=wanted - held))
            audit_record(action="portal.cms_access.sync", actor=SYSTEM, obj=user,
                         changes={"groups": [sorted(held), sorted(wanted)]})
        # Django caches a user's permissions on the instance.
        for attribute in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            user.__dict__.pop(attribute, None)
    return sorted(wanted)


def page_publication_record(*, page: Page, actor, published: bool) -> None:
    """Audit a page going live (``portal.page.publish``), approved for a later go-live time
    (``portal.page.schedule``: Wagtail sends ``page_published`` then too, the page not yet live) or
    taken down (``portal.page.unpublish``), and drop the cached public pages after the transaction
    commits. Called for Wagtail's ``page_published`` / ``page_unpublished`` signals, which every way of
    publishing sends (the review, the scheduled run, the admin)."""
    section = OrganizationPage.objects.ancestor_of(page, inclusive=True).select_related("organization").first()
    if published and not page.live:
        go_live_at = page.go_live_at.isoformat() if page.go_live_at else None
        action, changes = "portal.page.schedule", {"go_live_at": go_live_at}
    else:
        action = "portal.page.publish" if published else "portal.page.unpublish"
        changes = {"live": [not published, published]}
    audit_record(action=action, actor=actor if actor is not None and getattr(actor, "pk", None) else SYSTEM,
                 organization=section.organization if section else None, obj=page, summary=page.title[:200],
                 changes={**changes, "url_path": page.url_path})
    scope_changed(PAGES_SCOPE)


def page_review_record(*, page: Page, user, step: str, revision_id: int | None) -> None:
    """Audit a step of a page's review: ``portal.page.submit`` (an editor sends a revision for
    review), ``portal.page.approve`` or ``portal.page.reject`` (the organization's reviewer), by the
    user who took it. Called for Wagtail's ``workflow_submitted``, ``task_approved`` and
    ``task_rejected`` signals."""
    section = OrganizationPage.objects.ancestor_of(page, inclusive=True).select_related("organization").first()
    audit_record(action=f"portal.page.{step}", actor=user if getattr(user, "pk", None) else SYSTEM,
                 organization=section.organization if section else None, obj=page, summary=page.title[:200],
                 changes={"revision": revision_id})


def pages_publish_scheduled() -> dict[str, int]:
    """Run Wagtail's scheduled publishing once (``publish_scheduled``): revisions approved for a
    go-live time now past are published, live pages whose expiry time is past are unpublished. Each
    publication is audited through the signals (``page_publication_record``).

    Returns ``{"published": n, "unpublished": m}`` counted from the audit log's point of view:
    pages that went live or came down during this run.
    """
    from wagtail.models import Revision

    now = timezone.now()
    due = Revision.page_revisions.filter(approved_go_live_at__lte=now).count()
    expiring = Page.objects.live().filter(expire_at__lte=now).count()
    call_command("publish_scheduled", verbosity=0)
    return {"published": due, "unpublished": expiring}


