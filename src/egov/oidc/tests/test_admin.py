"""Clients and tokens are not edited in the admin (no audit there); the admin shows clients read-only."""

import pytest

from egov.audit.models import AuditEvent
from egov.oidc.actions import oidc_client_add

pytestmark = pytest.mark.django_db


def test_the_admin_neither_adds_nor_edits_clients_and_never_shows_a_secret(admin_client):
    application, secret = oidc_client_add(actor=None, name="协同办公系统", redirect_uris=["https://oa.example/cb"],
                                          scopes=["openid"])
    before = AuditEvent.objects.count()
    assert admin_client.get("/admin/oauth2_provider/application/add/").status_code == 404
    assert admin_client.get("/admin/oauth2_provider/accesstoken/").status_code == 404
    assert admin_client.get("/admin/oidc/clientpolicy/add/").status_code == 403
    listing = admin_client.get("/admin/oidc/clientpolicy/")
    assert listing.status_code == 200 and application.client_id in listing.content.decode()
    assert secret not in listing.content.decode()
    assert AuditEvent.objects.count() == before
