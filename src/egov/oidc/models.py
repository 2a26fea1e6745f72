"""One sign-in for the city (统一身份认证): egov as an OpenID Connect provider (docs/security.md).

The OAuth 2.0 / OIDC machinery (applications, grants, tokens, ID tokens) is django-oauth-toolkit's;
these models add what the city needs around it: which scopes an agency's system may ask for, the
stable pairwise subject each system sees for a person, and the consent a person gave to a system.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application


class ClientPolicy(models.Model):
    """What one registered system (an agency's own application, a DOT ``Application``) may ask for.

    ``scopes`` is space-separated, a subset of ``settings.OAUTH2_PROVIDER["SCOPES"]``;
    ``organization`` is the agency operating the system (shown on the consent page).
    """

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="egov_policy")
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("operated by")
    )
    scopes = models.CharField(_("allowed scopes"), max_length=200, default="openid profile")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in client")
        verbose_name_plural = _("sign-in clients")

    def __str__(self) -> str:
        return self.application.name

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


def _new_subject() -> str:
    return secrets.token_urlsafe(24)


class PairwiseSubject(models.Model):
    """The ``sub`` claim one system sees for one person: random, stable, different for every system
    (OpenID Connect Core 1.0 §8.1, pairwise identifiers), so systems cannot join their records on it
    and it reveals neither the database id nor the ID number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64, unique=True, default=_new_subject)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="one_subject_per_client")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.application}"


class Consent(models.Model):
    """A person's consent to let one system sign them in with ``scopes`` (space-separated), remembered
    until revoked (``revoked_at``) from the account page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_consents")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    scopes = models.CharField(max_length=200)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"], condition=models.Q(revoked_at=None), name="one_active_consent"
            )
        ]
        verbose_name = _("sign-in consent")
        verbose_name_plural = _("sign-in consents")

    def __str__(self) -> str:
        return f"{self.user} → {self.application}: {self.scopes}"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())
