"""Wagtail's publication signals, wired to the portal's audit and cache (``PortalConfig.ready``).

Every way a page goes live or comes down sends ``page_published`` / ``page_unpublished``: the review
task's approval in the admin, the scheduled run (``portal.pages_publish_scheduled``), an operator's
action. The user acting is the one of the CMS request being served (``cms_actor``, set by
``egov.portal.urls_cms``), else the platform (the scheduled run).
"""

import contextvars

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, task_approved, task_rejected, workflow_submitted

from egov.portal.actions_pages import page_publication_record, page_review_record

cms_actor: contextvars.ContextVar = contextvars.ContextVar("egov_cms_actor", default=None)


def _published(sender, instance, **kwargs) -> None:
    page_publication_record(page=instance, actor=cms_actor.get(), published=True)


def _unpublished(sender, instance, **kwargs) -> None:
    page_publication_record(page=instance, actor=cms_actor.get(), published=False)


def _submitted(sender, instance, user=None, **kwargs) -> None:
    page = instance.content_object
    if isinstance(page, Page):
        page_review_record(page=page, user=user, step="submit", revision_id=page.latest_revision_id)


def _decided(step: str):
    def handler(sender, instance, user=None, **kwargs) -> None:
        page = instance.workflow_state.content_object
        if isinstance(page, Page):
            page_review_record(page=page, user=user, step=step, revision_id=instance.revision_id)

    return handler


_approved, _rejected = _decided("approve"), _decided("reject")


def connect() -> None:
    """Connect the handlers once (``dispatch_uid``)."""
    workflow_submitted.connect(_submitted, dispatch_uid="egov.portal.workflow_submitted")
    task_approved.connect(_approved, dispatch_uid="egov.portal.task_approved")
    task_rejected.connect(_rejected, dispatch_uid="egov.portal.task_rejected")
    page_published.connect(_published, dispatch_uid="egov.portal.page_published")
    page_unpublished.connect(_unpublished, dispatch_uid="egov.portal.page_unpublished")
