"""The portal's editorial pages (《中国无锡》门户网站): Wagtail page types and the review task.

The tree (built by ``egov.portal.actions_pages``)::

    HomePage (/)
      SectionIndexPage kind=news      新闻动态    lists every live NewsPage of the site
      SectionIndexPage kind=notice    通知公告    lists every live NoticePage
      SectionIndexPage kind=policy    政策解读    lists every live PolicyInterpretationPage
      OrganizationIndexPage           政府机构
        OrganizationPage (one per orgs.Organization)  ← the organization's editors work here
          NewsPage, NoticePage, PolicyInterpretationPage
      TopicPage (one per life event of the service catalogue)

Pages hold their English text beside the Chinese (``title_en``, ``summary_en``, ``body_en``), as all
content people type does (docs/architecture.md "Two languages"); ``local_*`` picks by the active
language. Public rendering goes through ``PortalPage.serve``: the page's body is kept in the shared
cache (``facilities.readcache``, scope ``PAGES_SCOPE``) and the scope is dropped when any page is
published or unpublished (``egov.portal.pages_signals``).
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import AbstractGroupApprovalTask, Page

from egov.core.i18n import pick
from egov.facilities.readcache import cache_key, scope_read
from egov.portal.pages_cache import PAGES_SCOPE


class SectionKind(models.TextChoices):
    """What a section index lists."""

    NEWS = "news", _("News")  # 新闻动态
    NOTICE = "notice", _("Notices")  # 通知公告
    POLICY = "policy", _("Policy interpretations")  # 政策解读


class PortalPage(Page):
    """Fields and rendering every portal page shares (abstract): the English title and the cached body.

    ``body_template`` renders the page's content without the request (no session, no CSRF token), so
    that one rendering serves every visitor; ``shell_template`` wraps it in the public site's frame per
    request.
    """

    title_en = models.CharField(_("English title"), max_length=255, blank=True)

    body_template = ""
    shell_template = "portal/pages/shell.html"
    per_page = 20

    content_panels = [*Page.content_panels, FieldPanel("title_en")]

    class Meta:
        abstract = True

    @property
    def local_title(self) -> str:
        """The title in the active language (the Chinese one when no English was written)."""
        return pick(self.title, self.title_en)

    def body_context(self, request) -> dict:
        """What ``body_template`` needs; subclasses add their lists. ``request`` only gives the page
        number (never the user: the rendering is shared)."""
        return {"page": self, "self": self}

    def render_body(self, request) -> str:
        """The page's content as HTML, from the shared cache when built since the last publication.
        A listing page's other page numbers and preview renderings are not cached."""
        def build() -> str:
            return render_to_string(self.body_template, self.body_context(request))

        if getattr(request, "is_preview", False) or request.GET:
            return build()
        key = cache_key("portal.page", str(self.pk), get_language() or "")
        return scope_read(scope=PAGES_SCOPE, key=key, build=build, seconds=settings.EGOV_PAGE_CACHE_SECONDS)

    def serve(self, request, *args, **kwargs):
        """The public site's frame (header with the visitor's session) around the cached body (a
        visitor not signed in gets the whole page from the cache before Wagtail routes the request:
        ``urls_pages.page_serve``)."""
        return TemplateResponse(request, self.shell_template, {"page": self, "self": self,
                                                                "body": self.render_body(request)})


class HomePage(PortalPage):
    """The site's root. ``/`` is rendered by ``egov.views.public_home`` (service search, life events,
    entrances), which shows this page's introduction and the latest news and notices under it."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    intro_en = RichTextField(_("English introduction"), blank=True, features=["bold", "italic", "link"])

    body_template = "portal/pages/home_page.html"
    content_panels = [*PortalPage.content_panels, FieldPanel("intro"), FieldPanel("intro_en")]
    subpage_types = ["portal.SectionIndexPage", "portal.OrganizationIndexPage", "portal.TopicPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    @property
    def local_intro(self) -> str:
        return pick(self.intro, self.intro_en)

    def body_context(self, request) -> dict:
        return {**super().body_context(request), "home": self,
                "news": list(live_articles(kind=SectionKind.NEWS)[:5]),
                "notices": list(live_articles(kind=SectionKind.NOTICE)[:5]),
                "news_index": SectionIndexPage.objects.live().filter(kind=SectionKind.NEWS).first(),
                "notice_index": SectionIndexPage.objects.live().filter(kind=SectionKind.NOTICE).first()}


class SectionIndexPage(PortalPage):
    """A list of one kind of article (news, notices, policy interpretations), newest first, 20 a page,
    whichever organization's section holds them."""

    kind = models.CharField(_("lists"), max_length=10, choices=SectionKind.choices, unique=True)

    body_template = "portal/pages/section_index_page.html"
    content_panels = [*PortalPage.content_panels, FieldPanel("kind")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("section index")

    def body_context(self, request) -> dict:
        listing = Paginator(live_articles(kind=self.kind), self.per_page).get_page(request.GET.get("page"))
        return {**super().body_context(request), "listing": listing}


class OrganizationIndexPage(PortalPage):
    """政府机构: the organizations that have pages, in the organization tree's order."""

    body_template = "portal/pages/organization_index_page.html"
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.OrganizationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("organization index")

    def body_context(self, request) -> dict:
        children = (OrganizationPage.objects.live().descendant_of(self).select_related("organization")
                    .order_by("organization__path"))
        return {**super().body_context(request), "organizations": children}


class OrganizationPage(PortalPage):
    """One organization of ``orgs`` (name, 机关代字 and place in the tree from there) with its
    introduction; its editors' articles live under it (the permissions of the CMS are given on this
    subtree, ``actions_pages.cms_section_ensure``)."""

    organization = models.OneToOneField("orgs.Organization", verbose_name=_("organization"),
                                        on_delete=models.PROTECT, related_name="portal_page")
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("English introduction"), blank=True)

    body_template = "portal/pages/organization_page.html"
    content_panels = [*PortalPage.content_panels, FieldPanel("organization"), FieldPanel("intro"),
                      FieldPanel("intro_en")]
    parent_page_types = ["portal.OrganizationIndexPage"]
    subpage_types = ["portal.NewsPage", "portal.NoticePage", "portal.PolicyInterpretationPage"]

    class Meta:
        verbose_name = _("organization page")

    @property
    def local_intro(self) -> str:
        return pick(self.intro, self.intro_en)

    def body_context(self, request) -> dict:
        return {**super().body_context(request), "articles": live_articles(kind=None, under=self)[:20]}


class ArticlePage(PortalPage):
    """What news, notices and policy interpretations share (abstract): a date, a summary, a body."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    summary_en = models.CharField(_("English summary"), max_length=500, blank=True)
    body = RichTextField(_("body"))
    body_en = RichTextField(_("English body"), blank=True)

    body_template = "portal/pages/article_page.html"
    content_panels = [*PortalPage.content_panels,
                      MultiFieldPanel([FieldPanel("date"), FieldPanel("summary"), FieldPanel("summary_en")],
                                      heading=_("Summary")),
                      FieldPanel("body"), FieldPanel("body_en")]
    parent_page_types = ["portal.OrganizationPage"]
    subpage_types: list[str] = []
    kind = ""

    class Meta:
        abstract = True

    @property
    def local_summary(self) -> str:
        return pick(self.summary, self.summary_en)

    @property
    def local_body(self) -> str:
        return pick(self.body, self.body_en)

    @property
    def organization_page(self):
        """The organization section holding this article, or None."""
        return OrganizationPage.objects.ancestor_of(self).select_related("organization").first()

    def body_context(self, request) -> dict:
        return {**super().body_context(request), "section": self.organization_page}


class NewsPage(ArticlePage):
    """新闻动态: one news article."""

    kind = SectionKind.NEWS

    class Meta:
        verbose_name = _("news article")


class NoticePage(ArticlePage):
    """通知公告: one notice."""

    kind = SectionKind.NOTICE

    class Meta:
        verbose_name = _("notice")


class PolicyInterpretationPage(ArticlePage):
    """政策解读: an explanation of one published 公文 (《政府信息公开条例》(2019) 第六条: 政策解读 accompanies
    the policy), linked to the document on the disclosure list."""

    document = models.ForeignKey("documents.OfficialDocument", verbose_name=_("document interpreted"),
                                 on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"status": "issued", "disclosure": "proactive",
                                                   "classification": "public", "published_at__isnull": False})

    kind = SectionKind.POLICY
    content_panels = [*ArticlePage.content_panels[:1], FieldPanel("document"), *ArticlePage.content_panels[1:]]

    class Meta:
        verbose_name = _("policy interpretation")


class TopicPage(PortalPage):
    """按主题: one life event of the service catalogue (``services`` ``LifeEvent`` code), with an
    introduction; links to the catalogue filtered by the event and to the news about it."""

    theme = models.CharField(_("life event"), max_length=40, unique=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("English introduction"), blank=True)

    body_template = "portal/pages/topic_page.html"
    content_panels = [*PortalPage.content_panels, FieldPanel("theme"), FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("topic page")

    @property
    def local_intro(self) -> str:
        return pick(self.intro, self.intro_en)


def live_articles(*, kind: str | None, under: Page | None = None):
    """The live (published, not expired) articles of ``kind`` (a ``SectionKind``; None: any kind, as
    their own types through ``.specific()``), newest first (date, then first publication), optionally
    only those below ``under``. ``selectors_pages.pages_live`` is the public name of this read."""
    if kind is None:
        queryset = Page.objects.live().type(NewsPage, NoticePage, PolicyInterpretationPage).specific()
        order = ("-first_published_at", "-id")
    else:
        model = {SectionKind.NEWS: NewsPage, SectionKind.NOTICE: NoticePage,
                 SectionKind.POLICY: PolicyInterpretationPage}[SectionKind(kind)]
        queryset = model.objects.live()
        order = ("-date", "-first_published_at", "-id")
    if under is not None:
        queryset = queryset.descendant_of(under)
    return queryset.order_by(*order)


class OrganizationReviewTask(AbstractGroupApprovalTask):
    """The organization's review step (网站内容审核): a member of the reviewers' group approves or
    sends back — but never a revision they saved themselves (two people see every publication).

    Wagtail offers no approve action to the author of the revision under review
    (``get_actions``) and ``on_action`` refuses it if posted anyway (``PermissionDenied``).
    """

    class Meta:
        verbose_name = _("organization review task")

    @staticmethod
    def last_editor_id(task_state) -> int | None:
        """The user who saved the revision under review (or, failing that, the page's latest one)."""
        revision = task_state.revision if task_state is not None else None
        if revision is None and task_state is not None:
            revision = task_state.workflow_state.content_object.latest_revision
        return revision.user_id if revision is not None else None

    def get_actions(self, obj, user):
        state = self.get_task_states_user_can_moderate(user).filter(workflow_state__object_id=str(obj.pk)).first()
        if state is not None and self.last_editor_id(state) == user.pk:
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        from egov.core.errors import PermissionDenied

        if action_name == "approve" and self.last_editor_id(task_state) == user.pk:
            raise PermissionDenied(_("You last edited this page: another reviewer must approve it."),
                                   extra={"rule": "approver_not_last_editor"})
        return super().on_action(task_state, user, action_name, **kwargs)
