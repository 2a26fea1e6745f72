"""Reads of the portal: the PDF of a published document; requests for government information: the
applicant's list and page, the disclosure office's queue (least working time left first) and request
page. Reads of the applicant's personal data by staff are audited (``request_read_record``)."""

from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.errors import NotFound
from egov.documents.models import OfficialDocument
from egov.documents.rendering import pdf_render, print_data
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.portal import deadlines
from egov.portal.actions import CLOCK_RUNNING, MOVE_LABELS
from egov.portal.models import DisclosureRequest
from egov.portal.models import RequestStatus as S
from egov.portal.permissions import OFFICE_ROLES, office_agency_ids, require_office_staff, require_request_applicant
from egov.workflow.selectors import urgency_of, work_calendar


def disclosure_pdf(document: OfficialDocument) -> tuple[bytes, bool]:
    """The PDF of a published document and whether the platform signed it.

    Returns ``(pdf, True)``: the sealed PDF (用印, signed with the issuer's e-seal, PAdES) when
    there is one; otherwise ``(pdf, False)``: a GB/T 9704-2012 rendering of the record (e.g. an
    imported document, issued before the platform), cached in the default storage under
    ``disclosure/`` and rendered again once the record changes (its ``updated_at``).
    """
    if document.sealed_pdf:
        with document.sealed_pdf.open("rb") as handle:
            return handle.read(), True
    name = f"disclosure/{document.pk}-{document.updated_at:%Y%m%d%H%M%S%f}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), False
    pdf = pdf_render(print_data(document)).pdf
    default_storage.save(name, ContentFile(pdf))
    return pdf, False


def _queryset() -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.select_related("agency", "applicant", "answer_file")


def _by_number(number: str) -> DisclosureRequest:
    request = _queryset().filter(number=number).first()
    if request is None:
        raise NotFound(_("There is no such request."), extra={"field": "number"})
    return request


def agencies_accepting_requests() -> QuerySet[Organization]:
    """Active organizations with a disclosure office (someone holding an office role), by tree order."""
    ids = RoleAssignment.objects.filter(role__in=OFFICE_ROLES).values("membership__organization_id")
    return Organization.objects.filter(is_active=True, pk__in=ids).order_by("path")


def requests_of(*, user) -> QuerySet[DisclosureRequest]:
    """The requests of a citizen or an enterprise, newest first."""
    return _queryset().filter(applicant=user)


def request_get_for_applicant(*, user, number: str) -> DisclosureRequest:
    """The request ``number`` if ``user`` is its applicant.

    Raises:
        NotFound: no such request, or someone else's.
    """
    request = _by_number(number)
    require_request_applicant(user, request)
    return request


def request_get_for_staff(*, user, number: str) -> DisclosureRequest:
    """The request ``number`` if ``user`` works in its agency's disclosure office.

    Raises:
        NotFound: no such request, or one of another agency (not told that it exists).
    """
    request = _by_number(number)
    require_office_staff(user, request)
    return request


def request_read_record(*, user, request: DisclosureRequest) -> None:
    """Audit a staff member's read of the applicant's personal data (name, ID, contact)."""
    audit_record(action="portal.disclosure_request.read", actor=user, organization=request.agency, obj=request,
                 summary=f"{request.number}: applicant's personal data",
                 changes={"what": ["applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                                   "applicant_address"]})


def request_timeline(*, request: DisclosureRequest) -> list[tuple]:
    """``[(event, label)]`` of the request, oldest first."""
    return [(event, MOVE_LABELS.get(event.move, event.move)) for event in request.events.all()]


def request_due_years_unknown(*, request: DisclosureRequest,
                              calendar: workdays.WorkCalendar | None = None) -> list[int]:
    """The years counted toward ``request.due_on`` (from the receipt, or the corrected request's
    receipt, to the due date) whose holiday schedule is not loaded (``WorkCalendar.known_years``, the
    rows that ``workflow.selectors.calendar_years_missing`` also reads), oldest first.

    Non-empty: the due date is provisional. Those years count only weekends and the fixed-date
    holidays (``egov.core.workdays``); 春节 and the adjusted working days are not known before the
    State Council publishes the year's schedule. Empty for a request not registered or no longer
    waiting for its answer (answered, withdrawn).
    """
    if request.due_on is None or request.status not in CLOCK_RUNNING | {S.THIRD_PARTY}:
        return []
    known = (calendar or work_calendar()).known_years
    start = request.corrected_on or request.received_on
    return [year for year in range(start.year, request.due_on.year + 1) if year not in known]


@dataclass(frozen=True)
class QueueRow:
    """One request of the office's queue: working days left before ``due_on`` (None: not yet
    registered) and the badge (``overdue``, ``due_soon``, ``on_time``, ``paused``, ``none``) of
    ``workflow.selectors.urgency_of``."""

    request: DisclosureRequest
    days_left: int | None
    urgency: str

    @property
    def overdue_days(self) -> int:
        """Working days past the due date (0 unless overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def request_days_left(*, request: DisclosureRequest, today: date, calendar: workdays.WorkCalendar) -> int | None:
    """Working days from ``today`` to the due date (negative once past), None before registration."""
    if request.due_on is None:
        return None
    return workdays.working_days_between(today, request.due_on, calendar=calendar)


def office_queue(*, user, today: date | None = None) -> list[QueueRow]:
    """The open requests of the agencies whose disclosure office ``user`` works in: overdue first,
    then least working time left, the paused ones and those not yet registered last."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    open_statuses = [S.SUBMITTED, S.RECEIVED, S.CORRECTION, S.CORRECTED, S.EXTENDED, S.THIRD_PARTY]
    rows = []
    for request in _queryset().filter(agency_id__in=office_agency_ids(user), status__in=open_statuses):
        left = request_days_left(request=request, today=today, calendar=calendar)
        running = request.status in CLOCK_RUNNING
        rows.append(QueueRow(request=request, days_left=left if running else None,
                             urgency=urgency_of(left if running else None,
                                                paused=request.status in (S.THIRD_PARTY, S.CORRECTION))))
    rows.sort(key=lambda row: (row.days_left is None, row.days_left or 0, row.request.submitted_at))
    return rows


def request_staff_steps(*, user, request: DisclosureRequest, today: date | None = None) -> list[str]:
    """The steps ``user`` (in the request's disclosure office) may take now, in page order."""
    status = request.status
    if status == S.SUBMITTED:
        return ["register"]
    if status == S.THIRD_PARTY:
        return ["consult_end"]
    if status not in CLOCK_RUNNING:
        return []
    today = today or timezone.localdate()
    steps = []
    if status == S.RECEIVED and deadlines.correction_allowed(received_on=request.received_on, today=today,
                                                             calendar=work_calendar()):
        steps.append("request_correction")
    if (status in (S.RECEIVED, S.CORRECTED) and not request.extension_days and today <= request.due_on
            and has_role(user, request.agency, Role.DISCLOSURE_HEAD)):
        steps.append("extend")
    steps += ["consult", "answer"]
    return steps
