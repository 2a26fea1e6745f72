"""Access rules for pages: who is signed in as what."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.selectors import mfa_required
from egov.core.errors import PermissionDenied

PUBLIC_KINDS = (User.Kind.NATURAL, User.Kind.LEGAL)


def require_public_user(actor, message: str = "") -> None:
    """Raise unless ``actor`` is an active natural or legal person (who applies, requests information,
    rates): the write-side check that ``public_user_required`` makes for pages.

    Args:
        message: what the refusal says (translated), e.g. “Sign in as a citizen or an enterprise to
            apply.”; a general sentence otherwise.

    Raises:
        PermissionDenied: anonymous, staff or deactivated.
    """
    if actor is None or not getattr(actor, "is_active", False) or getattr(actor, "kind", None) not in PUBLIC_KINDS:
        raise PermissionDenied(message or _("Sign in as a citizen or an enterprise."))


def require_verified_public_user(actor, message: str = "") -> None:
    """``require_public_user``, and the account's holder is verified (实名认证, issue 17): who applies
    or requests must be who the account says. An unverified account may browse and track.

    Raises:
        PermissionDenied: as ``require_public_user``; or unverified, with ``extra``
            ``{"rule": "unverified", "verify": "/accounts/me/verify/"}``, the page that says how to
            get verified.
    """
    require_public_user(actor, message)
    if not actor.is_real_name_verified:
        path = reverse("accounts:verify")
        raise PermissionDenied(
            _("Your identity is not verified yet: bring your identity document to a service window; "
              "%(path)s says how.") % {"path": path},
            extra={"rule": "unverified", "verify": path},
        )


def staff_session_ok(request) -> bool:
    """True when the request is from an active staff user whose session passed MFA where required."""
    user = request.user
    if not user.is_authenticated or not user.is_active or user.kind != User.Kind.STAFF:
        return False
    return user.is_verified() or not mfa_required(user=user)


def staff_required(view):
    """Page decorator: staff only (deny by default); others go to the staff sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not staff_session_ok(request):
            return redirect_to_login(request.get_full_path(), reverse("staff_accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper


def verified_public_user_required(view):
    """Page decorator: ``public_user_required``, and a verified account; an unverified one gets the
    page that says how to get verified (403), not the form it cannot submit."""

    @wraps(view)
    @public_user_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_real_name_verified:
            return render(request, "accounts/verification_required.html", {"account": request.user}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def public_user_required(view):
    """Page decorator: a signed-in natural or legal person; others go to the public sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.kind not in (User.Kind.NATURAL, User.Kind.LEGAL):
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper
