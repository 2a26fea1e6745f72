"""Access rules for pages: who is signed in as what."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
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


def public_user_required(view):
    """Page decorator: a signed-in natural or legal person; others go to the public sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.kind not in (User.Kind.NATURAL, User.Kind.LEGAL):
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper
