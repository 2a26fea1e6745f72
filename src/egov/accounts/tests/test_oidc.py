"""Real-name verification at the provincial identity provider (OpenID Connect, issue 17 item 1), egov
as the relying party, against a running provider: a small one served over HTTP in the test (discovery
document, authorization endpoint, token endpoint with client_secret_basic, JWKS) that signs its ID
tokens with RS256 (joserfc). authlib on our side fetches the discovery document, sends state and
nonce, exchanges the code and checks the ID token's signature, issuer, audience and nonce."""

import json
import threading
import time
import uuid
from base64 import b64decode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from egov.accounts.models import User
from egov.accounts.tests.factories import NaturalPersonFactory
from egov.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PORT = 8171  # this branch's port range, 8170–8179
ISSUER = f"http://127.0.0.1:{PORT}"
CLIENT_ID, CLIENT_SECRET = "egov-wuxi", "s3cret-for-the-test"


class Provider:
    """The provider's state: its signing key, the person who signs in next, the codes given out."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.person = {}
        self.codes = {}
        self.forged_nonce = False


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, body: dict, status: int = 200):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                return self._json({
                    "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"]})
            if url.path == "/jwks":
                return self._json({"keys": [provider.key.as_dict(private=False)]})
            if url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                code = uuid.uuid4().hex
                provider.codes[code] = query
                self.send_response(302)
                back = urlencode({"code": code, "state": query["state"]})
                self.send_header("Location", f"{query['redirect_uri']}?{back}")
                self.end_headers()
                return None
            return self._json({"error": "not_found"}, 404)

        def do_POST(self):
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            basic = b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1]).decode()
            if basic != f"{CLIENT_ID}:{CLIENT_SECRET}":
                return self._json({"error": "invalid_client"}, 401)
            asked = provider.codes.pop(form.get("code", ""), None)
            if asked is None or form.get("redirect_uri") != asked["redirect_uri"]:
                return self._json({"error": "invalid_grant"}, 400)
            now = int(time.time())
            claims = {"iss": ISSUER, "sub": "js-000123", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                      "nonce": "forged" if provider.forged_nonce else asked.get("nonce"), **provider.person}
            token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, provider.key)
            return self._json({"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 300,
                               "id_token": token})

    return Handler


@pytest.fixture
def provider(settings):
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EGOV_OIDC_ISSUER, settings.EGOV_OIDC_CLIENT_ID = ISSUER, CLIENT_ID
    settings.EGOV_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LANGUAGE_CODE = "zh-hans"
    yield state
    server.shutdown()
    server.server_close()


def _sign_in_at_the_provider(client):
    """Our start page → the provider's authorization endpoint → back to our callback; its page."""
    start = client.get("/accounts/me/verify/province/")
    assert start.status_code == 302 and start["Location"].startswith(f"{ISSUER}/authorize?")
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["scope"] == ["openid profile"] and asked["nonce"] and asked["state"]
    back = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_the_provider_confirms_the_id_number_and_name_and_the_account_is_verified(client, provider):
    person = NaturalPersonFactory(name="张𠮷明", verified=False)
    provider.person = {"id_number": person.id_number, "name": "张𠮷明"}
    client.force_login(person.user)
    page = client.get("/accounts/me/verify/").content.decode()
    assert 'id="verify-oidc"' in page
    done = _sign_in_at_the_provider(client)
    assert "您的账户已通过实名认证。" in done.content.decode()
    user = User.objects.get(pk=person.user_id)
    assert (user.verification_method, user.verification_reference) == ("oidc", f"{ISSUER} js-000123")
    assert AuditEvent.objects.filter(action="accounts.user.verify", object_id=str(user.pk)).count() == 1


def test_another_persons_identity_or_name_does_not_verify(client, provider):
    person = NaturalPersonFactory(name="张𠮷明", verified=False)
    client.force_login(person.user)
    provider.person = {"id_number": "110105194912310021", "name": "张𠮷明"}
    assert "身份证号码不一致" in _sign_in_at_the_provider(client).content.decode()
    provider.person = {"id_number": person.id_number, "name": "张吉明"}  # 吉 is not 𠮷
    assert "另一姓名" in _sign_in_at_the_provider(client).content.decode()
    assert not User.objects.get(pk=person.user_id).is_real_name_verified


def test_a_token_with_another_nonce_is_refused(client, provider):
    person = NaturalPersonFactory(name="张𠮷明", verified=False)
    provider.person = {"id_number": person.id_number, "name": "张𠮷明"}
    provider.forged_nonce = True
    client.force_login(person.user)
    page = _sign_in_at_the_provider(client).content.decode()  # authlib's InvalidClaimError on nonce
    assert "身份认证平台未确认您的身份（invalid_claim）" in page
    assert not User.objects.get(pk=person.user_id).is_real_name_verified


def test_not_offered_without_a_provider(client, settings):
    settings.EGOV_OIDC_ISSUER = ""
    person = NaturalPersonFactory(verified=False)
    client.force_login(person.user)
    assert 'id="verify-oidc"' not in client.get("/accounts/me/verify/").content.decode()
    assert client.get("/accounts/me/verify/province/").status_code == 404
