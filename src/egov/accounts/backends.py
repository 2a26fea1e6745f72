"""The authentication backend: Django's ``ModelBackend``, the signed-in user read without compiling SQL.

Every signed-in request loads its user by the id in its session (``get_user``). Django's backend does
it with an ORM ``get``, compiled again on every request; this one sends the statement prepared once
per process (``User.objects.raw``) and keeps every check: the row must exist and the account be
active (``user_can_authenticate``), and Django then compares the session's password hash with the
user's (``django.contrib.auth.get_user``). Passwords are checked as by ``ModelBackend``.
"""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connections, router

from egov.accounts.models import User

_SELECT: dict[str, str] = {}  # {database alias: the SELECT of one user by id}


class ModelBackend(DjangoModelBackend):
    """``AUTHENTICATION_BACKENDS = ["egov.accounts.backends.ModelBackend"]``."""

    def get_user(self, user_id):
        """The active user with the id ``user_id`` (as stored in the session), or None."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a malformed id in a session is no user, as Django's get() answers
            return None
        alias = router.db_for_read(User)
        sql = _SELECT.get(alias)
        if sql is None:
            quote = connections[alias].ops.quote_name
            columns = ", ".join(quote(field.column) for field in User._meta.concrete_fields)
            sql = _SELECT[alias] = (f"SELECT {columns} FROM {quote(User._meta.db_table)} "
                                    f"WHERE {quote(User._meta.pk.column)} = %s")
        user = next(iter(User.objects.db_manager(alias).raw(sql, [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
