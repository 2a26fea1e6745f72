"""Checks of the identifiers that carry a GB/T 2260 division code.

Checksums come from python-stdnum; places are checked against our own GB/T 2260 history
(``Division``), because stdnum's table stops in 2014 and would refuse 320213 梁溪区.
Every failure raises ``ValidationFailed`` whose ``extra`` names the field and the rule.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from egov.core.errors import ValidationFailed
from egov.orgs.models import Division

# [0-9], not \d: \d also matches full-width and other Unicode digits, which int() then accepts.
_RIC = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC = re.compile(rf"^[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}$")


@dataclass(frozen=True)
class ResidentId:
    """A checked resident identity number: ``number`` (18 characters, X upper case),
    ``division_code`` (6 digits, as printed), ``birth_date``, ``sex`` (``"M"`` or ``"F"``)."""

    number: str
    division_code: str
    birth_date: datetime.date
    sex: str


def _fail(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule})


def division_code_known(code: str) -> bool:
    """True when ``code`` was a GB/T 2260 code in any year since 1981 (in use now or not)."""
    return Division.objects.filter(code=code).exists()


def resident_id_check(value: str, *, field: str = "id_number", today: datetime.date | None = None) -> ResidentId:
    """Check an 18-character resident identity number (GB 11643-1999).

    Rules, in order: ``format`` (17 digits then a digit or X; a lowercase x is read as X),
    ``check_character`` (ISO 7064 MOD 11-2, GB 11643-1999 §8.2), ``birth_date`` (a real date,
    not after ``today``, not before 1880), ``division_code`` (the first six digits were a
    GB/T 2260 code in some year: an old code such as 320202 崇安区 still resolves).

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": <rule>}``.
    """
    number = (value or "").strip().upper()
    if not _RIC.match(number):
        raise _fail(field, "format", _("An ID number is 17 digits followed by a digit or X."))
    if ric.calc_check_digit(number) != number[17]:  # stdnum takes the full 18 characters
        raise _fail(field, "check_character", _("The check character (last character) of this ID number is wrong."))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _fail(field, "birth_date", _("The birth date in this ID number is not a real date.")) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1880:
        raise _fail(field, "birth_date", _("The birth date in this ID number is impossible."))
    if not division_code_known(number[:6]):
        raise _fail(
            field, "division_code", _("The address code %(code)s was never a GB/T 2260 division code.") % {
                "code": number[:6]}
        )
    return ResidentId(number, number[:6], birth, "M" if int(number[16]) % 2 else "F")


def uscc_check(value: str, *, field: str = "uscc") -> str:
    """Check a unified social credit code (GB 32100-2015) and return it normalized (upper case).

    Rules: ``format`` (18 characters of 0-9 and A–Y without I, O, S, V, Z; characters 3–8 digits),
    ``check_character`` (GB 32100-2015 §4.2, via stdnum), ``division_code`` (characters 3–8 were a
    GB/T 2260 code in some year; stdnum does not check this).

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": <rule>}``.
    """
    code = (value or "").strip().upper()
    if not _USCC.match(code):
        raise _fail(field, "format", _("A unified social credit code is 18 characters: digits and capital letters "
                                        "except I, O, S, V and Z."))
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise _fail(field, "check_character", _("The check character (last character) of this code is wrong."))
    if not division_code_known(code[2:8]):
        raise _fail(
            field, "division_code", _("The division code %(code)s was never a GB/T 2260 division code.") % {
                "code": code[2:8]}
        )
    return code
