"""What anyone may see without signing in: a case followed by number and query code (办件查询), and
the concluded cases published on the public site (外网公布 / 结果公示).

Neither shows personal data: tracking gives status, dates and the organization; publication gives
item, organization, dates and result, with a natural person's name masked (``core.masking``) and a
legal person's name in full (a legal person's registration is public).
"""

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core.dates import months_add
from egov.core.errors import NotFound, ValidationFailed
from egov.core.i18n import pick
from egov.core.masking import mask_person_name
from egov.facilities import readcache
from egov.services.actions.lifecycle import MOVE_LABELS, track_scope
from egov.services.actions.numbers import tracking_number_check
from egov.services.models import Application, ApplicationStatus

PUBLISHED_STATUSES = (ApplicationStatus.CONCLUDED, ApplicationStatus.DELIVERED)


def _not_found() -> NotFound:
    # One answer for an unknown number, a wrong code and a malformed number: nothing is told.
    return NotFound(_("No case matches this tracking number and query code."), extra={"field": "number"})


def _normalized_code(code: str) -> str:
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", code or "").upper() if ch.isascii() and ch.isalnum())
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact


@dataclass(frozen=True)
class TrackedCase:
    """A case as anyone with its number and query code sees it: no names, no notes, no materials.
    ``item`` and ``organization`` are the Chinese names, ``item_en`` and ``organization_en`` the
    English ones (``""`` when none); ``local_item`` and ``local_organization`` the active language's."""

    number: str
    item: str
    item_en: str
    organization: str
    organization_en: str
    status: str
    status_label: str
    submitted_at: datetime
    accepted_on: date | None
    due_date: date | None
    decided_at: datetime | None
    concluded_at: datetime | None
    ended_at: datetime | None
    steps: list[dict]

    @property
    def local_item(self) -> str:
        return pick(self.item, self.item_en)

    @property
    def local_organization(self) -> str:
        return pick(self.organization, self.organization_en)


def application_track(*, number: str, code: str) -> TrackedCase:
    """The case ``number`` if ``code`` is its query code, from the cache (``facilities.readcache``)
    when the case has not changed since it was last read; otherwise one query.

    The entry's key is an HMAC of number, code and language; only the right code finds it, and an
    unknown number or a wrong code is never cached: both cost the same query every time, so neither
    the answer nor its timing tells which numbers exist. Every change of a case goes through
    ``lifecycle.application_move``, which drops the case's stamp (``lifecycle.application_track_changed``).

    Raises:
        NotFound: the number is unknown or malformed, or the code is wrong: the same answer for all,
            so that the answer tells nothing about which cases exist.
    """
    try:
        number = tracking_number_check(number)
    except ValidationFailed:
        raise _not_found() from None
    given = _normalized_code(code)
    key = readcache.cache_key("track", number, given, get_language() or "")
    return readcache.scope_read(scope=track_scope(number), key=key,
                                build=lambda: _tracked_case(number=number, given=given))


_TRACK_COLUMNS = ("number", "query_code", "status", "submitted_at", "accepted_on", "decided_at", "concluded_at",
                  "delivered_at", "withdrawn_at", "item__name", "item__name_en", "organization__name",
                  "organization__name_en", "process__due_date", "events__at", "events__move")


def _tracked_case(*, number: str, given: str) -> TrackedCase:
    # One query: the case's columns shown (not its process's serialized workflow, tens of kilobytes,
    # nor its item's form schema), joined with its timeline, one row per line (one row when none).
    rows = list(Application.objects.filter(number=number).order_by("events__at", "events__pk")
                .values_list(*_TRACK_COLUMNS, named=True))
    expected = rows[0].query_code.encode() if rows else b"\0" * 9
    if not hmac.compare_digest(given.encode(), expected) or not rows:
        raise _not_found()
    case = rows[0]
    steps = [{"at": row.events__at, "move": row.events__move,
              "label": str(MOVE_LABELS.get(row.events__move, row.events__move))}
             for row in rows if row.events__at is not None]
    return TrackedCase(
        number=case.number, item=case.item__name, item_en=case.item__name_en,
        organization=case.organization__name, organization_en=case.organization__name_en,
        status=case.status, status_label=str(ApplicationStatus(case.status).label),
        submitted_at=case.submitted_at, accepted_on=case.accepted_on, due_date=case.process__due_date,
        decided_at=case.decided_at, concluded_at=case.concluded_at,
        ended_at=case.delivered_at or case.withdrawn_at, steps=steps,
    )


@dataclass(frozen=True)
class PublishedResult:
    """One line of the published results."""

    number: str
    item: str
    item_code: str
    organization: str
    organization_id: int
    applicant: str
    result: str
    result_label: str
    submitted_at: datetime
    decided_at: datetime | None
    concluded_at: datetime


def published_applicant_name(application: Application) -> str:
    """A legal person's name in full; a natural person's masked (张*)."""
    if application.applicant.kind == User.Kind.LEGAL:
        return application.applicant_name
    return mask_person_name(application.applicant_name)


def published_results(*, organization_id: int | None = None, item_code: str = "", month: str = ""
                      ) -> QuerySet[Application]:
    """Concluded cases, newest conclusion first; filters: implementing organization, item code,
    month of conclusion ``YYYY-MM`` (Asia/Shanghai).

    Raises:
        ValidationFailed: a month not written ``YYYY-MM`` (``month``).
    """
    rows = (Application.objects.filter(status__in=PUBLISHED_STATUSES, concluded_at__isnull=False)
            .select_related("item", "organization", "applicant").order_by("-concluded_at", "-pk"))
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    if item_code:
        rows = rows.filter(item__code=item_code)
    if month:
        start = month_start(month)
        end = months_add(start, 1)
        zone = timezone.get_current_timezone()
        rows = rows.filter(Q(concluded_at__gte=datetime(start.year, start.month, 1, tzinfo=zone))
                           & Q(concluded_at__lt=datetime(end.year, end.month, 1, tzinfo=zone)))
    return rows


def month_start(month: str) -> date:
    """The first day of ``YYYY-MM``.

    Raises:
        ValidationFailed: not a month written ``YYYY-MM`` (``month``, ``format``).
    """
    try:
        year, number = (int(part) for part in month.split("-"))
        if len(month) != 7:
            raise ValueError(month)
        return date(year, number, 1)
    except ValueError:
        raise ValidationFailed(_("Write the month as YYYY-MM, e.g. 2026-03."),
                               extra={"field": "month", "rule": "format"}) from None


def published_result(application: Application) -> PublishedResult:
    """The public line of one concluded case."""
    return PublishedResult(
        number=application.number, item=application.item.name, item_code=application.item.code,
        organization=application.organization.name, organization_id=application.organization_id,
        applicant=published_applicant_name(application), result=application.decision,
        result_label=str(application.get_decision_display()) if application.decision else "",
        submitted_at=application.submitted_at, decided_at=application.decided_at,
        concluded_at=application.concluded_at,
    )
