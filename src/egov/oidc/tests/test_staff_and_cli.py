"""The staff site's provider (staff claims in their own scope) through Django's test client, and the
``egov oidc client add`` command."""

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from egov.accounts.tests.factories import StaffUserFactory
from egov.audit.models import AuditEvent
from egov.oidc.actions import oidc_client_add
from egov.oidc.models import ClientPolicy
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory
from egov.orgs.tests.standards import uscc

pytestmark = pytest.mark.django_db

REDIRECT = "https://oa.example.gov.cn/oidc/callback"


@override_settings(ROOT_URLCONF="egov.urls_staff")
def test_staff_sign_in_to_an_agency_system_gets_organization_and_roles_in_the_staff_scope():
    bureau_uscc = uscc("11320200MB0123456")
    bureau = OrganizationFactory(name="无锡市行政审批局", uscc=bureau_uscc, kind=Organization.Kind.DEPARTMENT)
    clerk = StaffUserFactory(name="李娜", organization=bureau, roles=[Role.CLERK, Role.REVIEWER])
    application, secret = oidc_client_add(actor=None, name="协同办公系统", redirect_uris=[REDIRECT],
                                          scopes=["openid", "profile", "staff"], organization=bureau)
    browser = Client()
    browser.force_login(clerk)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = "/oidc/authorize/?" + urlencode({
        "response_type": "code", "client_id": application.client_id, "redirect_uri": REDIRECT,
        "scope": "openid profile staff", "state": "xyz", "nonce": "n-1", "code_challenge": challenge,
        "code_challenge_method": "S256"})
    page = browser.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "协同办公系统" in html and "无锡市行政审批局" in html
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    form = {unescape(k): unescape(v) for k, v in hidden}
    answer = browser.post(url, {**form, "allow": "1"})
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]

    basic = base64.b64encode(f"{application.client_id}:{secret}".encode()).decode()
    token = Client().post("/oidc/token/", {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                           "code_verifier": verifier}, HTTP_AUTHORIZATION=f"Basic {basic}").json()
    userinfo = Client().get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").json()
    assert userinfo["name"] == "李娜" and userinfo["egov_kind"] == "staff"
    assert userinfo["egov_organizations"] == [{"name": "无锡市行政审批局", "uscc": bureau_uscc,
                                               "roles": ["clerk", "reviewer"]}]
    assert "resident_id" not in userinfo


@override_settings(ROOT_URLCONF="egov.urls_staff")
def test_a_citizen_session_is_not_a_staff_sign_in():
    from egov.accounts.tests.factories import NaturalPersonFactory

    application, _secret = oidc_client_add(actor=None, name="协同办公系统", redirect_uris=[REDIRECT], scopes=["openid"])
    browser = Client()
    browser.force_login(NaturalPersonFactory().user)
    answer = browser.get("/oidc/authorize/?client_id=" + application.client_id)
    assert answer.status_code == 302 and answer["Location"].startswith("/staff/login/?next=")


def test_client_add_command_registers_an_audited_client(capsys):
    call_command("oidc", "client", "add", "--name", "不动产登记系统", "--redirect-uri", REDIRECT, "--scope", "identity")
    out = capsys.readouterr().out
    client_id = re.search(r"client_id=(\S+)", out).group(1)
    assert re.search(r"client_secret=\S{40,}", out)
    policy = ClientPolicy.objects.get(application__client_id=client_id)
    assert policy.scopes == "openid identity"
    event = AuditEvent.objects.get(action="oidc.client.add")
    assert event.actor_label == "egov oidc client add" and event.changes["scopes"] == ["openid", "identity"]


@pytest.mark.parametrize(("args", "message"), [
    (["--name", "x", "--redirect-uri", "http://agency.example/cb"], "--redirect-uri: "),  # http off this machine
    (["--name", "x", "--redirect-uri", "https://agency.example/cb#frag"], "--redirect-uri: "),
    (["--name", "x", "--redirect-uri", REDIRECT, "--scope", "admin"], "--scope: "),
    (["--name", " ", "--redirect-uri", REDIRECT], "--name: "),
])
def test_client_add_refuses_bad_input_with_one_line(args, message):
    with pytest.raises(CommandError) as raised:
        call_command("oidc", "client", "add", *args)
    assert raised.value.returncode == 2 and str(raised.value).startswith(message) and "\n" not in str(raised.value)
    assert not ClientPolicy.objects.exists()
