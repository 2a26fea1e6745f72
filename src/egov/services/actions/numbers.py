"""Tracking numbers of applications (办件编号): layout, check character, allocation without races.

Layout (26 characters, digits but the last, which may be ``X``)::

    DDDDDDOOO-YYYYMMDD-SSSSSSC
    │     │   │        │     └ check character: ISO 7064 MOD 11-2 over the 23 digits before it
    │     │   │        └ the organization's sequence of the day, from 000001
    │     │   └ the day of submission (Asia/Shanghai)
    │     └ the organization's sequence within its division, from 001 (``OrganizationCaseCode``)
    └ the implementing organization's division code (GB/T 2260)

e.g. ``320200001-20260928-0000017``. MOD 11-2 is the check of the resident identity number (GB
11643-1999): with the digits ``d1 … d23``, compute ``p = 0`` then ``p = ((p + d) × 2) mod 11`` for each
digit, and the check is ``(12 − p) mod 11``, written ``X`` for 10 (``stdnum.iso7064.mod_11_2``). It
catches every single wrong digit and every swap of two neighbouring digits.
"""

import re
import unicodedata
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_11_2

from egov.core.errors import ValidationFailed
from egov.facilities.numbering import counter_take
from egov.orgs.models import Organization
from egov.services.models import OrganizationCaseCode, TrackingNumberCounter

_FORMAT = re.compile(r"^([0-9]{9})-?([0-9]{8})-?([0-9]{6})([0-9X])$")
DAILY_MAX = 999_999
ORGANIZATIONS_PER_DIVISION = 999


def tracking_number_compose(*, prefix: str, day: date, sequence: int) -> str:
    """The tracking number for ``prefix`` (9 digits), ``day`` and the day's ``sequence`` (1–999999)."""
    body = f"{prefix}{day:%Y%m%d}{sequence:06d}"
    return f"{body[:9]}-{body[9:17]}-{body[17:]}{mod_11_2.calc_check_digit(body)}"


def tracking_number_check(text: str) -> str:
    """Check a typed tracking number; return it in the canonical form (hyphens, upper-case X).

    Spaces are ignored and the hyphens may be left out; full-width digits, hyphens and X (typed with
    a Chinese input method) are read as their ASCII forms (Unicode NFKC).

    Raises:
        ValidationFailed: ``extra = {"field": "number", "rule": r}``, ``r`` ``format`` (not 23 digits
            and a check character) or ``check_character`` (a mistyped character).
    """
    compact = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or "")).upper()
    match = _FORMAT.match(compact)
    if not match:
        raise ValidationFailed(_("A tracking number is 23 digits and a check character, e.g. "
                                 "320200001-20260928-0000017."), extra={"field": "number", "rule": "format"})
    body = "".join(match.groups()[:3])
    if mod_11_2.calc_check_digit(body) != match.group(4):
        raise ValidationFailed(_("This tracking number has a typing error (its check character does not match)."),
                               extra={"field": "number", "rule": "check_character"})
    return f"{body[:9]}-{body[9:17]}-{body[17:]}{match.group(4)}"


def _counter_next(scope: str, limit: int) -> int:
    """Take the next value of the counter ``scope`` (gap-tolerant, ``facilities.numbering``)."""
    return counter_take(model=TrackingNumberCounter, key={"scope": scope}, limit=limit, label=scope)


# Each organization's case code, once read: a code is given once and never changes (``OrganizationCaseCode``).
_case_codes: dict[int, str] = {}


def _organization_code(organization: Organization) -> str:
    """The organization's 9-digit case code, given at its first number (division code + sequence)."""
    code = _case_codes.get(organization.pk)
    if code is None:
        existing = OrganizationCaseCode.objects.filter(organization=organization).values_list("code", flat=True).first()
        code = existing if existing is not None else _organization_code_give(organization)
        # Kept once committed: a code given in a transaction that rolls back must not outlive it.
        transaction.on_commit(lambda pk=organization.pk, code=code: _case_codes.__setitem__(pk, code))
    return code


@transaction.atomic
def _organization_code_give(organization: Organization) -> str:
    # The organization's row is locked so that its first two cases, submitted at once, agree on its code.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    existing = OrganizationCaseCode.objects.filter(organization=organization).first()
    if existing is not None:
        return existing.code
    division = organization.division.code
    sequence = _counter_next(f"division:{division}", ORGANIZATIONS_PER_DIVISION)
    return OrganizationCaseCode.objects.create(organization=organization, code=f"{division}{sequence:03d}").code


def tracking_number_allocate(*, organization: Organization, day: date) -> str:
    """Give the next tracking number of ``organization`` on ``day``; never the same one twice.

    Called outside a transaction (``application_submit`` calls it so, after every check of the
    submission has passed), the day's counter takes one ``UPDATE … RETURNING`` in autocommit
    (``facilities.numbering.counter_take``): the row is locked for that statement only, so concurrent
    submissions to one organization barely wait for each other and get consecutive numbers. The
    organization's case code is read once per process (it never changes). A submission that fails
    after taking its number (a disk error storing a file, a crash) leaves that number unused: a gap,
    never a duplicate (a tracking number identifies one case; unlike a 发文字号, GB/T 9704-2012 §7.2.4,
    it is not a register that must run without gaps). Inside a caller's transaction the lock lasts
    until that transaction ends.

    Raises:
        ValidationFailed: the organization gave 999,999 numbers that day, or its division has 999
            organizations with numbers (``rule = "exhausted"``).
    """
    prefix = _organization_code(organization)
    sequence = _counter_next(f"day:{organization.pk}:{day:%Y%m%d}", DAILY_MAX)
    return tracking_number_compose(prefix=prefix, day=day, sequence=sequence)


LICENCES_PER_YEAR = 999_999


@transaction.atomic
def licence_number_allocate(*, organization: Organization, year: int) -> str:
    """Give the next licence number (证照编号) of ``organization`` in ``year``; never the same one twice.

    Layout ``DDDDDDOOO-YYYY-SSSSSS``: the organization's 9-digit case code (as in its tracking
    numbers), the year of issue and its sequence in that year from 000001, e.g.
    ``320200001-2026-000017``. The year's counter row is locked until the issuing transaction ends,
    so concurrent conclusions get consecutive numbers; a rolled-back issue gives its number back.

    Raises:
        ValidationFailed: the organization issued 999,999 licences that year (``rule = "exhausted"``).
    """
    prefix = _organization_code(organization)
    sequence = _counter_next(f"licence:{organization.pk}:{year}", LICENCES_PER_YEAR)
    return f"{prefix}-{year:04d}-{sequence:06d}"
