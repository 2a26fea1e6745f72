"""The OpenID Connect provider on the public site: signs in natural and legal persons (/oidc/)."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from egov.oidc.views import PUBLIC, STAFF, AuthorizeView

app_name = "oauth2_provider"  # django-oauth-toolkit reverses its endpoints in this namespace


def provider_patterns(population: str) -> list:
    """The endpoints: authorization (consent), token, revocation, userinfo, discovery, JWKS."""
    return [
        path("authorize/", AuthorizeView.as_view(population=population), name="authorize"),
        path("token/", dot.TokenView.as_view(), name="token"),
        path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
        re_path(
            r"^\.well-known/openid-configuration/?$",
            dot.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
        path("userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    ]


urlpatterns = provider_patterns(PUBLIC)
__all__ = ["PUBLIC", "STAFF", "provider_patterns"]
