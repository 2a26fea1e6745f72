"""How the public site is shown: the 政务服务站 kiosk mode and the elder-friendly large-text mode
(适老化; issue 21, item 5). Both are a cookie of the device, not of an account, so that they
outlive a session: ending a kiosk session signs out and clears it but keeps the kiosk a kiosk.

Kiosk mode (``/kiosk/``): large type and touch targets (``.egov-kiosk`` in ``site.css``), items
found without typing (life events, organizations, a pinyin-initials keypad), sessions that end when
the browser closes, and an idle timeout (``EGOV_KIOSK_IDLE_SECONDS``, a countdown for the last
``EGOV_KIOSK_WARN_SECONDS``: ``static/egov/kiosk.js``) that signs out and returns to ``/kiosk/``;
the browser is asked not to remember what is typed (``autocomplete="off"``).

Large text (the header's 大字版 button, ``/display/text-size/``): bigger type and spacing and
stronger contrast (``.egov-large-text`` in ``site.css``), on every public page until switched off.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from egov.services.pinyin import pinyin_query
from egov.services.search import service_item_example, service_item_search
from egov.services.selectors import catalog_organizations, life_event_groups

KIOSK_COOKIE = "egov_kiosk"
LARGE_TEXT_COOKIE = "egov_large_text"
_YEAR = 365 * 24 * 3600
KEYPAD = "abcdefghjklmnopqrstwxyz"  # initials of pinyin syllables (no i, u, v begin a syllable)
KEYS_MAX = 12


def _device_cookie(response, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=_YEAR, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)


def kiosk_home(request):
    """The kiosk's home: life events, organizations, and the initials keypad (``?keys=gsdj``: the
    items whose name's initials or pinyin begin with the letters, at most 50). Sets the device's
    kiosk cookie and makes the session end when the browser closes."""
    keys = "".join(ch for ch in request.GET.get("keys", "").lower() if ch.isascii() and ch.isalpha())[:KEYS_MAX]
    items = []
    if pinyin_query(keys):
        items = list(service_item_search(query=keys)[:50])
    request.session.set_expiry(0)
    response = render(request, "portal/kiosk/home.html", {
        "groups": life_event_groups(), "organizations": catalog_organizations(), "keys": keys,
        "keypad": [(letter, keys + letter) for letter in KEYPAD], "back": keys[:-1], "items": items,
        "short": bool(keys) and not pinyin_query(keys), "example": service_item_example(),
    })
    _device_cookie(response, KIOSK_COOKIE, "1")
    return response


@require_POST
def kiosk_end(request):
    """End the kiosk's session (idle timeout or 结束使用): sign out, forget everything in the session,
    back to the kiosk's home."""
    logout(request)  # flushes the session
    return redirect("portal:kiosk")


@require_POST
def kiosk_leave(request):
    """Leave kiosk mode on this device (the service point's staff): the session ends too."""
    logout(request)
    response = redirect("/")
    response.delete_cookie(KIOSK_COOKIE, samesite="Lax")
    return response


@require_POST
def text_size(request):
    """Switch large text (适老化) on or off for this device (``large``: "1" on, else off), then back to
    the page ``next`` (a path of this site; else the home page)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    if request.POST.get("large") == "1":
        _device_cookie(response, LARGE_TEXT_COOKIE, "1")
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
