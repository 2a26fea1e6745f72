"""egov as an OpenID Connect provider, driven by a real OIDC client (authlib's OAuth2Session) against a
running server (pytest-django's live_server): discovery, authorization code with PKCE (S256, RFC 7636),
consent, token exchange, the ID token verified against the JWKS (joserfc), userinfo; the errors of
OpenID Connect Core 1.0 §3.1.2.6 and RFC 6749 §4.1.2.1."""

import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from egov.accounts.models import User
from egov.accounts.tests.factories import LegalPersonFactory, NaturalPersonFactory
from egov.audit.models import AuditEvent
from egov.oidc.actions import oidc_client_add
from egov.oidc.models import Consent

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "http://127.0.0.1:9/callback"  # never fetched: the test reads the code from the redirect


def _browser_for(user, base_url: str) -> requests.Session:
    """A browser signed in as ``user``: the session cookie of Django's test client, used by requests."""
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    return browser


def _hidden_fields(html: str) -> dict:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }


def _mark_verified(user) -> bool:
    """Verify ``user``'s real name (verified at a service window, issue 17 item 1); returns True."""
    User.objects.filter(pk=user.pk).update(verification_method="in_person")
    return True


@pytest.fixture
def system():
    application, secret = oidc_client_add(
        actor=None,
        actor_label="test",
        name="不动产登记系统",
        redirect_uris=[REDIRECT],
        scopes=["openid", "profile", "identity"],
    )
    return application, secret


def _authorize(live_server, application, secret, scope="openid profile identity"):
    metadata = requests.get(live_server.url + "/oidc/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        application.client_id, secret, scope=scope, redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return metadata, client, verifier, nonce, url, state


def test_citizen_signs_in_to_an_agency_system_and_it_gets_the_verified_claims(reference_data, live_server, system):
    application, secret = system
    person = NaturalPersonFactory(name="王晓明")
    verified = _mark_verified(person.user)
    metadata, client, verifier, nonce, url, state = _authorize(live_server, application, secret)
    assert metadata["issuer"] == live_server.url + "/oidc"
    assert "S256" in metadata["code_challenge_methods_supported"]
    browser = _browser_for(person.user, live_server.url)

    consent_page = browser.get(url, allow_redirects=False, timeout=10)
    assert consent_page.status_code == 200, consent_page.headers.get("Location")
    assert "不动产登记系统" in consent_page.text
    assert consent_page.text.count('data-scope="') == 3
    form = _hidden_fields(consent_page.text)
    assert form["code_challenge_method"] == "S256"
    answer = browser.post(url, data={**form, "allow": "1"}, allow_redirects=False, timeout=10, headers={"Referer": url})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert parse_qs(urlsplit(location).query)["state"] == [state]

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=location, code_verifier=verifier)
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = id_token.claims
    assert claims["iss"] == live_server.url + "/oidc"
    assert claims["aud"] == application.client_id
    assert claims["nonce"] == nonce
    subject = claims["sub"]
    assert subject not in {str(person.user.pk), person.id_number} and len(subject) >= 32

    userinfo = client.get(metadata["userinfo_endpoint"], timeout=10).json()
    assert userinfo["sub"] == subject
    assert userinfo["name"] == "王晓明"
    assert userinfo["egov_kind"] == "natural"
    assert userinfo["resident_id"] == person.id_number
    assert userinfo["egov_verified"] is verified
    assert userinfo["resident_id_verified"] is verified
    assert "egov_organizations" not in userinfo  # the staff scope was not asked for

    # The consent is remembered: the second sign-in goes straight back to the system, same subject.
    metadata, client, verifier, nonce, url, state = _authorize(live_server, application, secret)
    again = browser.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 302 and again.headers["Location"].startswith(REDIRECT + "?code=")
    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=again.headers["Location"], code_verifier=verifier
    )
    assert jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims["sub"] == subject

    events = list(AuditEvent.objects.filter(action__startswith="oidc.").order_by("seq"))
    assert [e.action for e in events] == ["oidc.client.add", "oidc.consent.grant", "oidc.signin", "oidc.signin"]
    assert events[2].actor_id == person.user.pk
    assert events[2].changes == {"client_id": application.client_id, "scopes": ["identity", "openid", "profile"]}


def test_another_system_sees_another_subject(reference_data, live_server, system):
    application, secret = system
    other, other_secret = oidc_client_add(actor=None, name="公积金系统", redirect_uris=[REDIRECT], scopes=["openid"])
    company = LegalPersonFactory(name="无锡示例科技有限公司")
    browser = _browser_for(company.user, live_server.url)
    subjects = []
    for app, app_secret, scope in ((application, secret, "openid profile identity"), (other, other_secret, "openid")):
        metadata, client, verifier, _nonce, url, _state = _authorize(live_server, app, app_secret, scope=scope)
        page = browser.get(url, timeout=10, allow_redirects=False)
        answer = browser.post(url, data={**_hidden_fields(page.text), "allow": "1"}, allow_redirects=False, timeout=10)
        client.fetch_token(
            metadata["token_endpoint"], authorization_response=answer.headers["Location"], code_verifier=verifier
        )
        subjects.append(client.get(metadata["userinfo_endpoint"], timeout=10).json())
    assert subjects[0]["uscc"] == company.uscc and subjects[0]["name"] == "无锡示例科技有限公司"
    assert set(subjects[1]) == {"sub"}  # openid alone releases the subject only
    assert subjects[0]["sub"] != subjects[1]["sub"]


def test_unknown_client_and_unregistered_redirect_get_an_error_page_without_redirect(
    reference_data, live_server, system
):
    application, secret = system
    person = NaturalPersonFactory()
    browser = _browser_for(person.user, live_server.url)
    base = (
        live_server.url
        + "/oidc/authorize/?response_type=code&scope=openid&code_challenge="
        + "a" * 43
        + "&code_challenge_method=S256&state=s"
    )
    unknown = browser.get(base + "&client_id=nobody&redirect_uri=" + REDIRECT, allow_redirects=False, timeout=10)
    assert unknown.status_code == 400 and "Location" not in unknown.headers
    assert 'id="oidc-error"' in unknown.text and "Invalid client_id parameter value" in unknown.text
    evil = browser.get(
        base + f"&client_id={application.client_id}&redirect_uri=https://evil.example/cb",
        allow_redirects=False,
        timeout=10,
    )
    assert evil.status_code == 400 and "Location" not in evil.headers
    assert 'id="oidc-error"' in evil.text and "Mismatching redirect URI" in evil.text
    # Errors the client may hear go back to it: a scope it was not registered for, a missing PKCE challenge.
    staff_scope = browser.get(
        (base + f"&client_id={application.client_id}&redirect_uri={REDIRECT}").replace(
            "scope=openid", "scope=openid%20staff"
        ),
        allow_redirects=False,
        timeout=10,
    )
    assert staff_scope.status_code == 302
    assert parse_qs(urlsplit(staff_scope.headers["Location"]).query)["error"] == ["invalid_scope"]
    no_pkce = browser.get(
        live_server.url + f"/oidc/authorize/?response_type=code&scope=openid&client_id="
        f"{application.client_id}&redirect_uri={REDIRECT}&state=s",
        allow_redirects=False,
        timeout=10,
    )
    assert no_pkce.status_code == 302
    assert parse_qs(urlsplit(no_pkce.headers["Location"]).query)["error"] == ["invalid_request"]
    assert not AuditEvent.objects.filter(action="oidc.signin").exists()


def test_signed_out_person_is_sent_to_the_public_sign_in_first(reference_data, live_server, system):
    application, secret = system
    _metadata, _client, _verifier, _nonce, url, _state = _authorize(live_server, application, secret)
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/accounts/login/?next=/oidc/authorize/")


def test_withdrawn_consent_asks_again_and_its_tokens_stop_working(reference_data, live_server, system):
    application, secret = system
    person = NaturalPersonFactory()
    browser = _browser_for(person.user, live_server.url)
    metadata, client, verifier, _nonce, url, _state = _authorize(live_server, application, secret)
    page = browser.get(url, timeout=10, allow_redirects=False)
    answer = browser.post(url, data={**_hidden_fields(page.text), "allow": "1"}, allow_redirects=False, timeout=10)
    client.fetch_token(
        metadata["token_endpoint"], authorization_response=answer.headers["Location"], code_verifier=verifier
    )
    assert client.get(metadata["userinfo_endpoint"], timeout=10).status_code == 200

    account = Client()
    account.force_login(person.user)
    listing = account.get("/accounts/me/systems/")
    assert listing.status_code == 200 and "不动产登记系统" in listing.content.decode()
    consent = Consent.objects.get(user=person.user, revoked_at=None)
    assert account.post(f"/accounts/me/systems/{consent.pk}/withdraw/").status_code == 302
    assert 'id="oidc-systems-empty"' in account.get("/accounts/me/systems/").content.decode()
    assert AuditEvent.objects.filter(action="oidc.consent.revoke", actor_id=person.user.pk).count() == 1

    assert client.get(metadata["userinfo_endpoint"], timeout=10).status_code == 401
    _metadata, _client, _verifier, _nonce, url, _state = _authorize(live_server, application, secret)
    asked = browser.get(url, allow_redirects=False, timeout=10)
    assert asked.status_code == 200 and 'name="allow"' in asked.text
    # Someone else's consent cannot be withdrawn.
    stranger = Client()
    stranger.force_login(NaturalPersonFactory().user)
    stranger.post(f"/accounts/me/systems/{consent.pk}/withdraw/")
    assert AuditEvent.objects.filter(action="oidc.consent.revoke").count() == 1


def test_refusing_consent_sends_access_denied_and_remembers_nothing(reference_data, live_server, system):
    application, secret = system
    person = NaturalPersonFactory()
    browser = _browser_for(person.user, live_server.url)
    _metadata, _client, _verifier, _nonce, url, state = _authorize(live_server, application, secret)
    page = browser.get(url, timeout=10, allow_redirects=False)
    answer = browser.post(url, data=_hidden_fields(page.text), allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == [state]
    assert not Consent.objects.exists()


def test_prompt_none_answers_login_required_to_a_signed_out_person(reference_data, live_server, system):
    """OpenID Connect Core 1.0 §3.1.2.6: prompt=none shows no sign-in page; the error goes back to the
    client's registered redirect URI with the state (it was a redirect to our sign-in page before)."""
    application, secret = system
    _metadata, _client, _verifier, _nonce, url, state = _authorize(live_server, application, secret)
    answer = requests.get(url + "&prompt=none", allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert parse_qs(location.query) == {"error": ["login_required"], "state": [state]}


def test_prompt_none_without_consent_answers_consent_required_and_with_consent_a_code(
    reference_data, live_server, system
):
    application, secret = system
    person = NaturalPersonFactory()
    browser = _browser_for(person.user, live_server.url)
    _metadata, _client, _verifier, _nonce, url, state = _authorize(live_server, application, secret)
    answer = browser.get(url + "&prompt=none", allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query) == {"error": ["consent_required"], "state": [state]}
    assert not Consent.objects.exists()

    page = browser.get(url, timeout=10, allow_redirects=False)
    browser.post(url, data={**_hidden_fields(page.text), "allow": "1"}, allow_redirects=False, timeout=10)
    _metadata, _client, _verifier, _nonce, url, state = _authorize(live_server, application, secret)
    silent = browser.get(url + "&prompt=none", allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(silent.headers["Location"]).query)
    assert silent.status_code == 302 and query["state"] == [state] and len(query["code"][0]) > 20
