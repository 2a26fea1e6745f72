"""Password rules of the platform (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length check (``min_length`` characters, default 10 here) with its message
    in the platform's catalogue: Django 5.2 words it with ``%d``, and its zh_Hans catalogue still
    holds only the older ``%(min_length)d`` wording, so the message came out in English on
    Chinese pages.

    Raises:
        ValidationError: (from ``validate``) the password is shorter than ``min_length``.
    """

    def get_error_message(self) -> str:
        return ngettext("This password is too short: it must have at least %(count)d character.",
                        "This password is too short: it must have at least %(count)d characters.",
                        self.min_length) % {"count": self.min_length}
