"""The staff session every staff operation of the JSON API authenticates with."""

from egov.accounts.permissions import staff_session_ok
from egov.core.apiauth import SessionAuth


class StaffSessionAuth(SessionAuth):
    """An active staff member's session, MFA passed where required (others: 401; a wrong CSRF
    token on an accepted session: 403, ``egov.core.apiauth.SessionAuth``)."""

    def authenticate(self, request, key):
        return request.user if staff_session_ok(request) else None


staff_session = StaffSessionAuth()
