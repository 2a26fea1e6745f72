"""Pages of the OpenID Connect provider: the consent page (django-oauth-toolkit's authorization
endpoint with the city's consent rules) and the account's list of allowed systems."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView

from egov.accounts.models import User
from egov.accounts.permissions import public_user_required, staff_session_ok
from egov.core.errors import ApplicationError
from egov.oidc import actions, selectors
from egov.oidc.models import ClientPolicy

PUBLIC = "public"
STAFF = "staff"


def _prompt(request) -> set[str]:
    """The authorization request's ``prompt`` values (space separated, OpenID Connect Core 1.0 §3.1.2.1)."""
    return set(request.GET.get("prompt", "").split())


class AuthorizeView(AuthorizationView):
    """The authorization endpoint (OpenID Connect Core 1.0 §3.1.2). ``population`` is the people this
    site signs in: ``public`` (natural and legal persons, on the public site) or ``staff`` (staff with
    their second factor, on the staff site). A remembered consent that covers the requested scopes
    skips the page unless the client asks ``prompt=consent``; ``prompt=none`` never shows a page
    (``login_required`` or ``consent_required`` at the client's redirect URI, §3.1.2.6)."""

    template_name = "oidc/authorize.html"
    population = PUBLIC

    def _signed_in(self, request) -> bool:
        if self.population == STAFF:
            return staff_session_ok(request)
        user = request.user
        return user.is_authenticated and user.is_active and user.kind in (User.Kind.NATURAL, User.Kind.LEGAL)

    def dispatch(self, request, *args, **kwargs):
        if not self._signed_in(request):
            if "none" in _prompt(request):
                # prompt=none must not show a page: django-oauth-toolkit answers ``login_required`` at
                # the client's registered redirect URI (OpenID Connect Core 1.0 §3.1.2.6).
                return self.handle_no_permission()
            login = "staff_accounts:login" if self.population == STAFF else "accounts:login"
            return redirect_to_login(request.get_full_path(), reverse(login))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = Application.objects.get(client_id=credentials["client_id"])
        consent = selectors.oidc_consent_active(user=request.user, application=application)
        prompt = _prompt(request)
        if consent is not None and set(scopes) <= consent.scope_set and not prompt & {"consent", "login", "create"}:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
            return self.redirect(uri, application)
        if "none" in prompt:
            # No remembered consent covers the scopes and the client asked for no page: OpenID Connect
            # Core 1.0 §3.1.2.6 ``consent_required`` at the registered redirect URI, with its state.
            answer = {"error": "consent_required"}
            if credentials.get("state"):
                answer["state"] = credentials["state"]
            separator = "&" if "?" in credentials["redirect_uri"] else "?"
            return self.redirect(credentials["redirect_uri"] + separator + urlencode(answer), application)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            policy = ClientPolicy.objects.filter(application=application).select_related("organization").first()
            context["organization"] = policy.organization if policy else None
            context["scope_items"] = [
                (scope, description)
                for scope, description in zip(
                    context.get("scopes", []), context.get("scopes_descriptions", []), strict=False
                )
            ]
        return context

    def render_to_response(self, context, **response_kwargs):
        # The error page (error_response) comes here without get_context_data: each site its own frame.
        context["base_template"] = "staff_base.html" if self.population == STAFF else "public_base.html"
        response = super().render_to_response(context, **response_kwargs)
        redirect_uri = context.get("redirect_uri")
        if redirect_uri and context.get("application") is not None:
            # The consent form's answer redirects to the client's (validated, registered) redirect URI:
            # CSP's form-action covers the redirects of a form submission too (CSP Level 3 §6.4.1), so
            # the site-wide 'self' would make the browser stop at our page.
            parts = urlsplit(redirect_uri)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response

    def form_valid(self, form):
        if form.cleaned_data.get("allow"):
            application = Application.objects.filter(client_id=form.cleaned_data["client_id"]).first()
            if application is not None:
                scopes = form.cleaned_data.get("scope", "").split()
                allowed = selectors.oidc_allowed_scopes(application=application)
                if set(scopes) <= allowed:
                    actions.oidc_consent_grant(user=self.request.user, application=application, scopes=scopes)
        return super().form_valid(form)


@public_user_required
def systems(request):
    """The systems the signed-in person allowed to sign them in, each with a button to withdraw."""
    descriptions = settings.OAUTH2_PROVIDER["SCOPES"]
    consents = [(consent, [text for scope, text in descriptions.items() if scope in consent.scope_set])
                for consent in selectors.oidc_consents_of(user=request.user)]
    return render(request, "oidc/systems.html", {"consents": consents})


@require_POST
@public_user_required
def system_revoke(request, pk: int):
    try:
        consent = actions.oidc_consent_revoke(user=request.user, consent_id=pk)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(system)s can no longer sign you in without asking.") % {"system": consent.application.name}
        )
    return redirect("oidc_account:systems")
