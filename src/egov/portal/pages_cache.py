"""Whole public pages from the shared cache for visitors who are not signed in (issue 21, part 6).

A page is the same for every anonymous visitor but for the CSRF token of the header's language form:
the rendering is stored with that token replaced by a placeholder, and each answer gets the
visitor's own token (``get_token``, which also sets the cookie). Entries live under the portal's
pages scope (``PAGES_SCOPE``), one per path, language and display mode (large text, kiosk): any
publication or unpublication drops them all; what other apps show on a cached page (the home page's
life events and organizations) may be up to ``EGOV_PAGE_CACHE_SECONDS`` old. Signed-in visitors,
query strings, pending messages and answers other than 200 are never cached.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from egov.facilities.readcache import cache_key, scope_read
from egov.portal.views_display import KIOSK_COOKIE, LARGE_TEXT_COOKIE

# One stamp for every public page: publishing anything drops it (a page's list of children, the home
# page's news and the indexes all change together when one article goes live).
PAGES_SCOPE = cache_key("portal.pages", "scope")

TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
PLACEHOLDER = "\x00egov-csrf-token\x00"
DISPLAY_COOKIES = (LARGE_TEXT_COOKIE, KIOSK_COOKIE)


class _NotCached(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


def anonymous_page(request, *, render: Callable[[], HttpResponse]) -> HttpResponse:
    """``render()``'s answer to ``request``, from the cache when the visitor is anonymous.

    Args:
        request: a GET without a query string, else ``render()`` is called as is.
        render: builds the page (an ``HttpResponse`` or a ``TemplateResponse``).
    Returns: an ``HttpResponse`` with the visitor's CSRF token in its forms.
    """
    if (request.method != "GET" or request.GET or "messages" in request.COOKIES
            or request.user.is_authenticated or getattr(request, "is_preview", False)):
        return render()

    def build() -> tuple[str, str]:
        response = render()
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200:
            raise _NotCached(response)
        html = TOKEN_FIELD.sub(lambda match: match.group(1) + PLACEHOLDER + match.group(2),
                               response.content.decode(response.charset))
        return html, response["Content-Type"]

    # The device's display modes (large text 适老化, kiosk: ``views_display``) change the markup: one
    # entry per combination, so a visitor's mode is never served to another.
    modes = "".join("1" if request.COOKIES.get(name) == "1" else "0" for name in DISPLAY_COOKIES)
    key = cache_key("portal.response", request.path, get_language() or "", modes)
    try:
        html, content_type = scope_read(scope=PAGES_SCOPE, key=key, build=build,
                                        seconds=settings.EGOV_PAGE_CACHE_SECONDS)
    except _NotCached as refused:
        return refused.response
    return HttpResponse(html.replace(PLACEHOLDER, get_token(request)), content_type=content_type)
