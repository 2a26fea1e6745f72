"""Sign-up, sign-in (with TOTP for staff) and sign-out pages. Thin: forms, one action, a response."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import actions, oidc, throttling
from egov.accounts.forms import (
    AccountLookupForm,
    InPersonVerificationForm,
    LegalPersonRegistrationForm,
    NaturalPersonRegistrationForm,
    SignInForm,
    TokenForm,
)
from egov.accounts.models import User
from egov.accounts.permissions import public_user_required, staff_required, staff_session_ok
from egov.accounts.selectors import (
    first_enrolment_allowed,
    has_second_factor,
    legal_persons_acted_for,
    may_verify_in_person,
    mfa_required,
    public_account_for_window,
)
from egov.core.clients import client_address
from egov.core.errors import ApplicationError
from egov.core.forms import add_application_error

_PENDING = "egov_pending_signin"
_PENDING_SECONDS = 300


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _register(request, form_class, register, template):
    """A registration page; the new account is signed in and sent where it was going (``next``, as
    the sign-in page does), else to its profile."""
    form = form_class(request.POST or None)
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        try:
            created = register(**form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
            retry_after = getattr(error, "retry_after", 0)
        else:
            login(request, created.user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your account is open."))
            return redirect(_next_url(request, "accounts:profile"))
    response = render(request, template, {"form": form, "next": _next_url(request, "")},
                      status=429 if retry_after else 400 if form.errors else 200)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def register_natural_person(request):
    return _register(request, NaturalPersonRegistrationForm, actions.natural_person_register,
                     "accounts/register_natural_person.html")


def register_legal_person(request):
    return _register(request, LegalPersonRegistrationForm, actions.legal_person_register,
                     "accounts/register_legal_person.html")


def _authenticate(request, form, kinds):
    """Check the password unless this address must wait first (``egov.accounts.throttling``: growing
    waits per account and address and per address, never a lockout of the account itself).

    Returns the user, or None with a form error; ``request.signin_wait`` holds the seconds to wait
    when the password was not checked (the page answers 429 with ``Retry-After``).
    """
    username = form.cleaned_data["username"].strip()
    address = client_address(request)
    wait = throttling.signin_wait(username=username, address=address)
    if wait:
        request.signin_wait = wait
        throttling.signin_failed_note(username=username, address=address, held=True)
        actions.session_login_failed_record(username=username, reason="throttled")
        form.add_error(
            None,
            ngettext(
                "Too many failed sign-ins from here: wait %(seconds)d second, then try again.",
                "Too many failed sign-ins from here: wait %(seconds)d seconds, then try again.",
                wait,
            )
            % {"seconds": wait},
        )
        return None
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None or user.kind not in kinds:
        throttling.signin_failed_note(username=username, address=address)
        actions.session_login_failed_record(username=username, reason="password" if user is None else "wrong_site")
        form.add_error(None, _("The sign-in name or the password is wrong."))
        return None
    throttling.signin_succeeded_note(username=username, address=address)
    return user


def _signin_page(request, template: str, form):
    """The sign-in page: 429 with ``Retry-After`` while this address must wait, 400 with form errors."""
    wait = getattr(request, "signin_wait", 0)
    response = render(
        request,
        template,
        {"form": form, "next": _next_url(request, "")},
        status=429 if wait else 400 if form.errors else 200,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def public_login(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form, {User.Kind.NATURAL, User.Kind.LEGAL})
        if user is not None:
            login(request, user)
            actions.session_login_record(user=user, mfa=False)
            return redirect(_next_url(request, "accounts:profile"))
    return _signin_page(request, "accounts/login.html", form)


@public_user_required
def profile(request):
    return render(request, "accounts/profile.html", {"account": request.user,
                                                     "acted_for": legal_persons_acted_for(user=request.user),
                                                     "data_use_path": settings.EGOV_DATA_USE_PATH,
                                                     "signin_systems_path": settings.EGOV_SIGNIN_SYSTEMS_PATH})


@public_user_required
def verify(request):
    """实名认证: the account's verification state and how to get verified (where a refused apply or
    request points), with the provincial identity provider's sign-in when one is configured."""
    return render(request, "accounts/verify.html", {
        "account": request.user,
        "oidc": oidc.configured() and request.user.kind == User.Kind.NATURAL})


@public_user_required
def verify_oidc(request):
    """Send the citizen to the provincial identity provider (authorization code flow, OIDC)."""
    if not oidc.configured():
        raise Http404
    return oidc.client().authorize_redirect(request, request.build_absolute_uri(reverse("accounts:verify_oidc_done")))


@public_user_required
def verify_oidc_done(request):
    """The provider's answer: authlib checks state, token and ID token; the claims verify the account
    when they are its ID number and name (``actions.account_verify_by_oidc``)."""
    if not oidc.configured():
        raise Http404
    try:
        token = oidc.client().authorize_access_token(request)
    except oidc.REFUSALS as error:  # a refused sign-in, a bad state, a token not for us, the provider down
        messages.error(request, _("The identity provider did not confirm your identity (%(error)s).")
                       % {"error": getattr(error, "error", "") or type(error).__name__})
        return redirect("accounts:verify")
    claims = token.get("userinfo") or {}
    id_number, name = oidc.identity(claims)
    try:
        actions.account_verify_by_oidc(user=request.user, issuer=str(claims.get("iss", "")),
                                       subject=str(claims.get("sub", "")), id_number=id_number, name=name)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your identity is verified."))
    return redirect("accounts:verify")


@staff_required
def window_verify(request):
    """窗口现场核验: a clerk finds the account by its ID number or USCC, checks the identity document the
    holder presents, and confirms (``actions.account_verify_in_person``). Intake clerks only (403)."""
    if not may_verify_in_person(user=request.user):
        return render(request, "403.html", {"exception": _("Only an intake clerk at a service window verifies "
                                                         "identities.")}, status=403)
    lookup = AccountLookupForm(request.POST if "lookup" in request.POST else request.GET or None)
    confirm = InPersonVerificationForm(request.POST if "confirm" in request.POST else None)
    account, status = None, 200
    if request.method == "POST" and "confirm" in request.POST:
        lookup = AccountLookupForm({"identifier": request.POST.get("identifier", "")})
    if lookup.is_bound and lookup.is_valid():
        account = public_account_for_window(actor=request.user, identifier=lookup.cleaned_data["identifier"])
        if account is None:
            lookup.add_error("identifier", _("No citizen's or enterprise's account has this sign-in name."))
        elif confirm.is_bound and confirm.is_valid():
            try:
                actions.account_verify_in_person(actor=request.user, user=account,
                                                 document=confirm.cleaned_data["document"])
            except ApplicationError as error:
                add_application_error(confirm, error)
            else:
                messages.success(request, _("%(name)s is verified.") % {"name": account.name})
                return redirect("staff_accounts:window_verify")
    if not confirm.is_bound and account is not None:
        confirm = InPersonVerificationForm(initial={"identifier": account.username})
    if lookup.errors or confirm.errors:
        status = 400
    return render(request, "accounts/window_verify.html", {"lookup": lookup, "confirm": confirm, "account": account},
                  status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


def staff_login(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form, {User.Kind.STAFF})
        if user is not None:
            if not mfa_required(user=user):
                login(request, user)
                actions.session_login_record(user=user, mfa=False)
                return redirect(_next_url(request, "staff_home"))
            request.session[_PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(),
                                         "next": _next_url(request, "")}
            if has_second_factor(user=user):
                return redirect("staff_accounts:login_otp")
            if first_enrolment_allowed(user=user):
                return redirect("staff_accounts:mfa_enrol")
            request.session.pop(_PENDING, None)
            actions.session_login_failed_record(username=user.username, reason="no_second_factor_left")
            form.add_error(None, _("Your backup codes are used up and no authenticator is set up: "
                                   "ask an operator for new backup codes."))
    return _signin_page(request, "accounts/staff_login.html", form)


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(_PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > _PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        return None, {}
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


def _finish_mfa_login(request, user: User, device, pending: dict):
    request.session.pop(_PENDING, None)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    actions.session_login_record(user=user, mfa=True)
    return redirect(pending.get("next") or "staff_home")


def _second_factor_refusal(user: User) -> str:
    """Why a code was refused: after more than one wrong code in a row django-otp slows guessing
    down, and a right code typed during that wait is refused too, so say when to try again."""
    waits = []
    for device in devices_for_user(user, confirmed=True):
        if device.throttling_failure_count <= actions.SECOND_FACTOR_FORGIVEN:
            continue  # the next code is tried at once (``staff_second_factor_match``)
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(details["locked_until"])
    seconds = int((min(waits) - timezone.now()).total_seconds()) + 1 if waits else 0
    if seconds > 1:  # after the first wrong code the wait is one second: not worth a word
        return _("Too many wrong codes: wait %(seconds)d seconds, then try again.") % {"seconds": seconds}
    return _("The code is wrong or has expired.")


def staff_login_otp(request):
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("staff_accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.staff_second_factor_match(user=user, token=form.cleaned_data["token"])
        if device is not None:
            return _finish_mfa_login(request, user, device, pending)
        actions.session_login_failed_record(username=user.username, reason="second_factor")
        form.add_error("token", _second_factor_refusal(user))
    return render(request, "accounts/staff_login_otp.html", {"form": form}, status=400 if form.errors else 200)


def staff_mfa_enrol(request):
    """Set up an authenticator (TOTP): during sign-in for someone who never had a second factor, or
    later from a session that passed one (e.g. with a backup code). Never on the password alone for
    an account that has or had a second factor: that would make the factor worthless."""
    if staff_session_ok(request) and request.user.is_verified():
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request)
        if user is None:
            messages.info(request, _("Please sign in again."))
            return redirect("staff_accounts:login")
        if not first_enrolment_allowed(user=user):
            return redirect("staff_accounts:login_otp")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or actions.staff_totp_enrol(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.staff_totp_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            if pending is None:
                messages.success(request, _("Your authenticator is set up."))
                return redirect("staff_home")
            return _finish_mfa_login(request, user, device, pending)
    secret = device.config_url.split("secret=")[1].split("&")[0]
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("Authenticator QR code"))
    return render(request, "accounts/staff_mfa_enrol.html", {"form": form, "qr_svg": qr_svg, "secret": secret},
                  status=400 if form.errors else 200)
