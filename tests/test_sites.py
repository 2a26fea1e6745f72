"""Two sites (外网/内网): the public site routes to no staff view; every staff URL needs staff."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import get_resolver

from egov.orgs.roles import Role
from tests.urlwalk import walk

ROOT = Path(__file__).resolve().parents[1]
# A view both sites route to on purpose: sign-out (POST only, ends whatever session there is).
SHARED_VIEWS = {"egov.accounts.views.logout_view"}


@pytest.fixture
def migrated_database_url(django_db_setup) -> str:
    """The URL of the test database, migrated, for a process of its own: the public pages read the
    portal's page tree for their menu (新闻动态, 通知公告, 政策解读), so even a sign-up page needs the
    tables; the walk reads nothing else and writes nothing."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def site_walk(site: str, tmp_path: Path, database_url: str) -> dict:
    env = {**os.environ, "EGOV_ENV": "test", "EGOV_SITE": site, "EGOV_VAR_DIR": str(tmp_path),
           "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR"}
    completed = subprocess.run([sys.executable, str(ROOT / "tests" / "urlwalk.py")], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_public_site_has_no_staff_route(tmp_path, migrated_database_url):
    public = site_walk("public", tmp_path, migrated_database_url)
    assert public["site"] == "public"
    assert not [r for r in public["routes"] if r.startswith(("staff", "admin"))]
    assert set(public["views"]) & set(public["staff_views"]) <= SHARED_VIEWS
    assert not [v for v in public["views"] if v.startswith(("django.contrib.admin", "egov.accounts.admin"))]
    for path in ("/staff/", "/staff/login/", "/admin/", "/admin/login/"):
        assert public["status"][path] == 404, path
    assert public["status"]["/accounts/register/person/"] == 200
    assert public["status"]["/api/v1/staff/tasks"] == 404


def test_staff_site_has_no_public_pages(tmp_path, migrated_database_url):
    staff = site_walk("staff", tmp_path, migrated_database_url)
    assert staff["site"] == "staff"
    assert not [r for r in staff["routes"] if r.startswith("accounts/")]
    # Its API holds only the staff routers (and the schema and docs of those).
    assert not [r for r in staff["routes"] if r.startswith("api/v1/") and not r.startswith("api/v1/staff/")]
    assert [r for r in staff["routes"] if r.startswith("api/v1/staff/")]
    public_only = {"egov.views.public_home", "egov.accounts.views.register_natural_person",
                   "egov.accounts.views.register_legal_person", "egov.accounts.views.public_login",
                   "egov.accounts.views.profile"}
    assert not public_only & set(staff["views"])
    for path in ("/accounts/register/person/", "/accounts/register/legal-person/", "/accounts/login/",
                 "/api/v1/services/items"):
        assert staff["status"][path] == 404, path
    assert staff["status"]["/staff/login/"] == 200
    assert staff["status"]["/api/v1/staff/tasks"] == 401  # served, asks for a staff sign-in


def staff_paths() -> list[str]:
    return [path for route, path, _view in walk(get_resolver("egov.urls_all").url_patterns)
            if route.startswith(("staff/", "admin/"))]


def public_paths() -> list[str]:
    return [path for route, path, _view in walk(get_resolver("egov.urls_all").url_patterns)
            if not route.startswith(("staff/", "admin/"))]


def assert_kept_out(client, path: str) -> None:
    response = client.get(path, follow=True)
    if response.redirect_chain:
        final = response.redirect_chain[-1][0]
        assert final.startswith("/staff/login/?next=") or final == "/staff/login/", (path, response.redirect_chain)
    else:
        # 405: a POST-only view (sign-out) answering a GET.
        assert response.status_code in (404, 405), (path, response.status_code)


@pytest.mark.django_db
def test_every_staff_url_keeps_out_anonymous_users_and_citizens(client, citizen):
    paths = [p for p in staff_paths() if p != "/staff/login/"]
    assert len(paths) > 50  # the staff pages and every admin page
    for path in paths:
        assert_kept_out(client, path)
    client.force_login(citizen.user)
    for path in paths:
        assert_kept_out(client, path)
    assert client.get("/staff/login/").status_code == 200


@pytest.mark.django_db
def test_staff_urls_keep_out_staff_who_have_not_passed_mfa(client, department, make_staff):
    make_staff(department, [Role.APPROVER], username="approver1")
    client.post("/staff/login/", {"username": "approver1", "password": "correct-horse-2026"})
    for path in ("/staff/", "/admin/", "/admin/audit/auditevent/"):
        assert_kept_out(client, path)


@pytest.mark.django_db
def test_admin_needs_is_staff_as_well(client, department, make_staff):
    clerk = make_staff(department, [Role.CLERK])
    client.force_login(clerk)
    assert client.get("/staff/").status_code == 200
    assert_kept_out(client, "/admin/")


@pytest.mark.django_db
def test_every_public_url_answers_an_anonymous_user_without_error(client, city):
    client.raise_request_exception = False
    for path in public_paths():
        assert client.get(path).status_code < 500, path


def test_the_published_document_path_is_the_portals(settings):
    # documents (below the portal) links staff to a published document's public page by this setting
    # rather than by the portal's URL name; it must stay the portal's page.
    from django.urls import reverse

    expected = reverse("portal:disclosure_detail", args=[42], urlconf="egov.urls_public")
    assert settings.EGOV_PUBLISHED_DOCUMENT_PATH.format(pk=42) == expected == "/disclosure/42/"


def test_the_data_use_path_is_who_read_my_data(settings):
    # The account page (accounts, below registries) links to "who read my data" by this setting.
    from django.urls import reverse

    expected = reverse("exchange_reads:mine", urlconf="egov.urls_public")
    assert settings.EGOV_DATA_USE_PATH == expected == "/accounts/me/data-reads/"


def test_the_signin_systems_path_is_the_oidc_page(settings):
    # The account page (accounts, below oidc) links to "systems you sign in to" by this setting.
    from django.urls import reverse

    expected = reverse("oidc_account:systems", urlconf="egov.urls_public")
    assert settings.EGOV_SIGNIN_SYSTEMS_PATH == expected == "/accounts/me/systems/"


def test_each_site_serves_its_own_oidc_provider():
    # One sign-in (docs/security.md): /oidc/ on the public site signs in citizens and enterprises, on
    # the staff site staff; the embedded "all" serves the public one.
    from django.urls import resolve

    for urlconf, population in (("egov.urls_public", "public"), ("egov.urls_staff", "staff"),
                                ("egov.urls_all", "public")):
        match = resolve("/oidc/authorize/", urlconf=urlconf)
        assert match.func.view_initkwargs["population"] == population
        assert resolve("/oidc/.well-known/openid-configuration", urlconf=urlconf).url_name == \
            "oidc-connect-discovery-info"
