"""The session authentication every session-only operation of the JSON API uses.

ninja's ``SessionAuth`` checks Django's CSRF token before it looks at the session, so an anonymous
request to a session-only write was answered 403 "CSRF check Failed" although the client had not
signed in (issue 17 item 7). Here the session is looked at first: nobody signed in is 401 (the
request carries no credentials a cross-site page could abuse, so skipping the CSRF check for it
changes nothing), and a signed-in request must still pass the CSRF check (403). RFC 9110 sections
15.5.2 (401) and 15.5.4 (403); OWASP CSRF Prevention Cheat Sheet.
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth as NinjaSessionAuth


class SessionAuth(NinjaSessionAuth):
    """ninja's ``SessionAuth`` with the session checked before the CSRF token.

    Subclasses override ``authenticate(request, key)`` as with ninja's and return the user or None.

    Returns:
        the authenticated user, or None (ninja answers 401) when ``authenticate`` refuses the
        session.

    Raises:
        ninja.errors.HttpError: 403 when the session is accepted but the CSRF token is missing or
            wrong (an unsafe method without ``X-CSRFToken`` matching the ``csrftoken`` cookie).
    """

    def __call__(self, request: HttpRequest) -> Any | None:
        user = self.authenticate(request, None)
        if user is None:
            return None
        self._get_key(request)  # ninja's CSRF check (only for the accepted session)
        return user
