"""The portal's Wagtail pages (issue 21): moderation by the organization's reviewer (never the last
editor), scheduled publishing by the beat task, the audit of publications, the public cache dropped
on publish, the feeds and the sitemap, and the CMS kept off the public site."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from freezegun import freeze_time

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied
from egov.documents.actions import document_draft
from egov.documents.models import OfficialDocument
from egov.orgs.roles import Role
from egov.portal import tasks
from egov.portal.actions_pages import cms_section_ensure, cms_tree_ensure, cms_user_sync
from egov.portal.models_pages import NewsPage, NoticePage, PolicyInterpretationPage
from egov.workflow.actions import process_definitions_install_shipped

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def section(city):
    """The tree and the city government's section with its groups and review workflow (and the
    processes a 公文 draft starts)."""
    process_definitions_install_shipped()
    cms_tree_ensure()
    return cms_section_ensure(organization=city)


@pytest.fixture
def people(city, make_staff, section):
    """An editor, two reviewers and a member without a CMS role, their CMS groups set from the roles."""
    staff = {"editor": make_staff(city, [Role.WEB_EDITOR], username="web-editor"),
             "reviewer": make_staff(city, [Role.WEB_REVIEWER], username="web-reviewer"),
             "reviewer2": make_staff(city, [Role.WEB_REVIEWER], username="web-reviewer2"),
             "clerk": make_staff(city, [Role.CLERK], username="plain-clerk")}
    for user in staff.values():
        cms_user_sync(user=user)
    return staff


def _draft(section, editor, title="市政府召开电子政务推进会", **fields) -> NewsPage:
    page = section.add_child(instance=NewsPage(title=title, body="<p>会议内容。</p>", live=False,
                                               slug=fields.pop("slug", "news-1"), **fields))
    page.save_revision(user=editor)
    return page


def _submit(page, user):
    page.refresh_from_db()
    return page.get_workflow().start(page, user)


def _task_state(page):
    page.refresh_from_db()
    return page.current_workflow_task_state.specific


def _publish(page, user=None):
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()


def test_cms_groups_follow_the_roles(people, city):
    assert cms_user_sync(user=people["editor"]) == [f"cms:{city.pk}:web_editor"]
    assert cms_user_sync(user=people["reviewer"]) == [f"cms:{city.pk}:web_reviewer"]
    assert cms_user_sync(user=people["clerk"]) == []
    assert people["editor"].has_perm("wagtailadmin.access_admin")
    assert not people["clerk"].has_perm("wagtailadmin.access_admin")


def test_editor_drafts_reviewer_approves_page_goes_live_at_its_time(client, people, section,
                                                                       django_capture_on_commit_callbacks):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    page = _draft(section, people["editor"], go_live_at=go_live)
    _submit(page, people["editor"])
    state = _task_state(page)
    assert [a[0] for a in state.task.specific.get_actions(page, people["reviewer"])] == ["reject", "approve", "approve"]
    with django_capture_on_commit_callbacks(execute=True):
        state.task.specific.on_action(state, people["reviewer"], "approve")
    page.refresh_from_db()
    assert page.live is False  # approved for 2 hours from now, not before
    assert page.get_latest_revision().approved_go_live_at is not None
    url = page.url
    assert client.get(url).status_code == 404
    assert tasks.pages_publish_scheduled() == {"published": 0, "unpublished": 0}
    with freeze_time(go_live + datetime.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.pages_publish_scheduled() == {"published": 1, "unpublished": 0}
    page.refresh_from_db()
    assert page.live is True
    response = client.get(url)
    assert response.status_code == 200
    assert "市政府召开电子政务推进会" in response.content.decode()
    event = AuditEvent.objects.get(action="portal.page.publish", object_id=str(page.pk))
    assert event.actor_id is None  # the platform's scheduled run published it
    assert event.organization_id == section.organization_id
    assert event.changes["live"] == [False, True]
    assert AuditEvent.objects.filter(action="portal.page.schedule", object_id=str(page.pk)).count() == 1
    steps = AuditEvent.objects.filter(action__in=["portal.page.submit", "portal.page.approve"],
                                      object_id=str(page.pk)).order_by("seq")
    assert [(e.action, e.actor_id) for e in steps] == [("portal.page.submit", people["editor"].pk),
                                                       ("portal.page.approve", people["reviewer"].pk)]


def test_approver_is_never_the_last_editor(people, section):
    page = _draft(section, people["editor"])
    page.title = "改过的标题"
    page.save_revision(user=people["reviewer"])  # the reviewer edits the draft and submits it
    _submit(page, people["reviewer"])
    state = _task_state(page)
    task = state.task.specific
    assert task.get_actions(page, people["reviewer"]) == []
    with pytest.raises(PermissionDenied):
        task.on_action(state, people["reviewer"], "approve")
    page.refresh_from_db()
    assert page.live is False
    assert task.get_actions(page, people["editor"]) == []  # not in the reviewers' group
    task.on_action(state, people["reviewer2"], "approve")
    page.refresh_from_db()
    assert page.live is True
    assert page.title == "改过的标题"


def test_unpublish_is_audited_and_expiry_runs_from_beat(people, section, django_capture_on_commit_callbacks):
    page = _draft(section, people["editor"])
    page.expire_at = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(page)
    assert page.live
    with freeze_time(timezone.now() + datetime.timedelta(days=2)):
        assert tasks.pages_publish_scheduled() == {"published": 0, "unpublished": 1}
    page.refresh_from_db()
    assert page.live is False and page.expired is True
    assert AuditEvent.objects.filter(action="portal.page.unpublish", object_id=str(page.pk)).count() == 1


def test_public_pages_are_cached_and_dropped_on_publish(client, people, section, django_capture_on_commit_callbacks):
    index_url = "/news/"
    first = _draft(section, people["editor"], title="第一条新闻", slug="first", date=datetime.date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        _publish(first)
    assert "第一条新闻" in client.get(index_url).content.decode()
    # Changed behind Wagtail's back (no publication): the cached rendering is still served.
    NewsPage.objects.filter(pk=first.pk).update(title="改名而未发布")
    assert "第一条新闻" in client.get(index_url).content.decode()
    second = _draft(section, people["editor"], title="第二条新闻", slug="second", date=datetime.date(2026, 11, 2))
    with django_capture_on_commit_callbacks(execute=True):
        _publish(second)
    body = client.get(index_url).content.decode()
    assert "第二条新闻" in body and "改名而未发布" in body and "第一条新闻" not in body
    assert body.index("第二条新闻") < body.index("改名而未发布")  # newest first


def test_feeds_and_sitemap(client, people, section, city):
    for day, title in ((1, "旧闻"), (3, "新闻三"), (2, "新闻二")):
        _publish(_draft(section, people["editor"], title=title, slug=f"n{day}", date=datetime.date(2026, 11, day),
                        summary=f"摘要{day}"))
    notice = section.add_child(instance=NoticePage(title="停电通知", body="<p>x</p>", slug="notice", live=False))
    _publish(notice)
    _publish(_draft(section, people["editor"], title="草稿", slug="draft-only"))  # then taken down
    NewsPage.objects.get(slug="draft-only").unpublish()
    document = document_draft(actor=None, issuer=city, kind="notice", title="关于政务公开的通知", body="")
    OfficialDocument.objects.filter(pk=document.pk).update(status="issued", disclosure="proactive",
                                                           published_at=timezone.now())

    rss = ET.fromstring(client.get("/feeds/news.xml").content)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert [item.findtext("title") for item in rss.iter("item")] == ["新闻三", "新闻二", "旧闻"]
    assert rss.find("channel/item/link").text.startswith("http://testserver/organizations/")
    assert [item.findtext("title") for item in ET.fromstring(client.get("/feeds/notices.xml").content).iter("item")] \
        == ["停电通知"]

    atom = ET.fromstring(client.get("/feeds/disclosure.xml").content)
    assert atom.tag == f"{ATOM}feed"
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["关于政务公开的通知"]
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver/disclosure/{document.pk}/"

    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    locations = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert f"http://testserver/disclosure/{document.pk}/" in locations
    assert "http://testserver/services/" in locations
    assert any(loc.endswith("/news/") for loc in locations)  # Wagtail's pages, on the Site's host
    assert any(loc.endswith("/n3/") for loc in locations)
    assert not any("draft-only" in loc for loc in locations)


def test_policy_interpretation_links_its_document(client, people, section, city):
    document = document_draft(actor=None, issuer=city, kind="opinion", title="关于推进电子政务的意见", body="")
    OfficialDocument.objects.filter(pk=document.pk).update(status="issued", disclosure="proactive",
                                                           published_at=timezone.now())
    page = section.add_child(instance=PolicyInterpretationPage(title="电子政务意见解读", body="<p>解读</p>",
                                                               document_id=document.pk, slug="policy", live=False))
    _publish(page)
    body = client.get(page.url).content.decode()
    assert f'href="/disclosure/{document.pk}/"' in body
    assert "关于推进电子政务的意见" in body


def test_cms_is_on_the_staff_site_only(client, people):
    with pytest.raises(NoReverseMatch):
        reverse("wagtailadmin_home", urlconf="egov.urls_public")
    assert reverse("wagtailadmin_home", urlconf="egov.urls_staff") == "/staff/cms/"
    assert client.get("/staff/cms/").status_code == 302  # not signed in: the staff sign-in
    client.force_login(people["clerk"])
    assert client.get("/staff/cms/").status_code == 403  # staff without a CMS role: denied
    client.force_login(people["editor"])
    assert client.get("/staff/cms/").status_code == 200


def test_direct_publish_from_the_editor_is_refused(rf, people, section):
    from django.core.exceptions import PermissionDenied as Forbidden

    from egov.portal.wagtail_hooks import refuse_publishing_own_edit

    request = rf.post("/staff/cms/pages/1/edit/", {"action-publish": "1"})
    request.user = people["reviewer"]
    with pytest.raises(Forbidden):
        refuse_publishing_own_edit(request, section)
    request.user.is_superuser = True
    assert refuse_publishing_own_edit(request, section) is None


def test_a_cached_page_carries_each_visitor_s_own_csrf_token(client, people, section):
    from django.test import Client

    _publish(_draft(section, people["editor"], title="缓存新闻", slug="cached"))
    first, second = client.get("/news/"), Client().get("/news/")
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
              for r in (first, second)]
    assert tokens[0] != tokens[1]
    assert "egov-csrf-token" not in second.content.decode()
    # The language switch works from the cached page with the visitor's own token.
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/news/",
                                              "csrfmiddlewaretoken": tokens[0]})
    assert switched.status_code == 302


def test_demo_pages_load_once(people, city):
    from egov.portal.demo_pages import DEMO_PAGES_ORGANIZATION, demo_pages_load

    assert city.name == DEMO_PAGES_ORGANIZATION
    demo_pages_load(editor_username="web-editor")
    demo_pages_load(editor_username="web-editor")  # idempotent
    assert NewsPage.objects.live().count() == 3
    assert NoticePage.objects.live().count() == 1
    waiting = NewsPage.objects.get(slug="news-open-data")
    assert not waiting.live and waiting.current_workflow_state.status == "in_progress"


@pytest.mark.parametrize("path", ["/news/", "/"])
def test_a_cached_page_is_kept_apart_per_display_mode(client, people, section, path):
    """The large-text (适老化) and kiosk cookies change the page's markup: a visitor with large text on
    must not be served to everyone else from the cache, nor the other way round."""
    from django.test import Client

    _publish(_draft(section, people["editor"], title="缓存新闻", slug="cached"))
    large = Client()
    large.cookies["egov_large_text"] = "1"
    kiosk = Client()
    kiosk.cookies["egov_kiosk"] = "1"
    body_class = re.compile(r'<body class="([^"]*)"')
    assert "egov-large-text" in body_class.search(large.get(path).content.decode()).group(1)
    assert "egov-kiosk" in body_class.search(kiosk.get(path).content.decode()).group(1)
    plain = body_class.search(client.get(path).content.decode()).group(1).split()
    assert "egov-large-text" not in plain and "egov-kiosk" not in plain
    again = body_class.search(large.get(path).content.decode()).group(1).split()
    assert "egov-large-text" in again and "egov-kiosk" not in again


def test_tree_is_built_in_a_database_without_wagtails_root(db):
    """A flushed database (a transactional test's teardown) has no root page: the tree is still built."""
    from wagtail.models import Page, Site

    Site.objects.all().delete()
    Page.objects.all().delete()
    home = cms_tree_ensure()
    assert home.get_parent().depth == 1 and home.get_parent().is_root()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
