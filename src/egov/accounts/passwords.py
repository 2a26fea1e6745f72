"""Password rules of the platform (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from zxcvbn import zxcvbn


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


# Passwords printed where anyone can read them: the demo's (README, docs, the demo's sign-in sheet).
# Compared after ``_folded``, so egov-demo-2026, EGOV_DEMO_2026, egovdemo2026 and "egov demo 2026" are one.
PUBLISHED_PASSWORDS = ("egov-demo-2026",)


def _folded(password: str) -> str:
    """Letters and digits only, case-folded: the part of a password that variants keep."""
    return "".join(char for char in password.casefold() if char.isalnum())


class PublishedPasswordValidator:
    """Refuse a password that was published (``PUBLISHED_PASSWORDS``, e.g. the demo's) in any
    spelling that keeps its letters and digits: case, hyphens, spaces and punctuation do not make
    it secret (NIST SP 800-63B 5.1.1.2: compare against values known to be compromised).

    The demo loader gives its people the published password directly (``egov.demo``), never through
    this check.

    Raises:
        ValidationError: (from ``validate``) code ``password_published``.
    """

    def validate(self, password: str, user=None) -> None:
        folded = _folded(password)
        if folded and any(folded == _folded(known) for known in PUBLISHED_PASSWORDS):
            raise ValidationError(
                _("This password is published (it is the demo's): choose another."), code="password_published"
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a published one, such as the demo's.")


class StrengthValidator:
    """Refuse a password that zxcvbn (Dropbox's estimator: dictionaries of common passwords, names
    and words, keyboard patterns, repeats, sequences, dates; USENIX Security 2016, Wheeler) scores
    below ``min_score`` (0–4; default 3, about 10⁸ guesses), counting the account's own sign-in name,
    name, e-mail and phone as known words. Ten spaces, ``password123456`` or ``1234567890abc`` fail;
    a few unrelated words with a number pass. Passwords shorter than ``judged_from`` characters are
    left to the length rule, so that a short password gets one message, not two.

    Raises:
        ValidationError: (from ``validate``) code ``password_weak``.
    """

    def __init__(self, min_score: int = 3, judged_from: int = 10):
        self.min_score = min_score
        self.judged_from = judged_from

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.judged_from:
            return
        known = [str(getattr(user, field, "") or "") for field in ("username", "name", "email", "phone")]
        # zxcvbn looks at the first 100 characters only: longer passwords are not weaker for it.
        if zxcvbn(password[:100], user_inputs=[value for value in known if value])["score"] < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess: use a few unrelated words, or more "
                    "characters that do not follow a pattern."
                ),
                code="password_weak",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be easy to guess (common words, patterns, repeats or your own details).")
