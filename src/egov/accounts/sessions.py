"""The session store: Django's database sessions, read with one plain statement.

Every signed-in request reads its session row. Django's ``db`` backend reads it with an ORM ``get``,
whose SQL is compiled again on every request (about as much CPU as the rest of a small API request,
issue 18); this store sends the same statement ready-made. Writing, expiry and the table are Django's
(``django.contrib.sessions.backends.db``): sessions stored before stay valid as sessions. Their
sign-ins do not: Django keeps the authentication backend's path in the session and accepts it only
while it is in ``AUTHENTICATION_BACKENDS``, which now names ``egov.accounts.backends.ModelBackend``,
so everyone signed in before this version is signed out once (docs/operations.md).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """``SESSION_ENGINE = "egov.accounts.sessions"``: as Django's ``db`` store, the load excepted."""

    def _get_session_from_db(self):
        """The session row if its key is stored and not expired (``expire_date`` after now), as
        Django's ``db`` store answers; else None, and the key is dropped (a new one is made on save)."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)} "
                           f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
