"""Sign-up, sign-in (with TOTP for staff) and sign-out pages. Thin: forms, one action, a response."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import actions
from egov.accounts.forms import (
    LegalPersonRegistrationForm,
    NaturalPersonRegistrationForm,
    SignInForm,
    TokenForm,
)
from egov.accounts.models import User
from egov.accounts.permissions import public_user_required, staff_session_ok
from egov.accounts.selectors import (
    first_enrolment_allowed,
    has_second_factor,
    legal_persons_acted_for,
    mfa_required,
)
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
    if request.method == "POST" and form.is_valid():
        try:
            created = register(**form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            login(request, created.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is open."))
            return redirect(_next_url(request, "accounts:profile"))
    return render(request, template, {"form": form, "next": _next_url(request, "")},
                  status=400 if form.errors else 200)


def register_natural_person(request):
    return _register(request, NaturalPersonRegistrationForm, actions.natural_person_register,
                     "accounts/register_natural_person.html")


def register_legal_person(request):
    return _register(request, LegalPersonRegistrationForm, actions.legal_person_register,
                     "accounts/register_legal_person.html")


def _authenticate(request, form, kinds):
    """Check the password (django-axes counts failures). Returns the user or None with form errors."""
    username = form.cleaned_data["username"].strip()
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if getattr(request, "axes_locked_out", False):
        actions.session_login_failed_record(username=username, reason="locked_out")
        form.add_error(None, _("Too many failed attempts: this account is locked for 30 minutes from this address."))
        return None
    if user is None or user.kind not in kinds:
        actions.session_login_failed_record(username=username, reason="password" if user is None else "wrong_site")
        form.add_error(None, _("The sign-in name or the password is wrong."))
        return None
    return user


def public_login(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form, {User.Kind.NATURAL, User.Kind.LEGAL})
        if user is not None:
            login(request, user)
            actions.session_login_record(user=user, mfa=False)
            return redirect(_next_url(request, "accounts:profile"))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")},
                  status=400 if form.errors else 200)


@public_user_required
def profile(request):
    return render(request, "accounts/profile.html", {"account": request.user,
                                                     "acted_for": legal_persons_acted_for(user=request.user),
                                                     "data_use_path": settings.EGOV_DATA_USE_PATH,
                                                     "signin_systems_path": settings.EGOV_SIGNIN_SYSTEMS_PATH})


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
    return render(request, "accounts/staff_login.html", {"form": form, "next": _next_url(request, "")},
                  status=400 if form.errors else 200)


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
