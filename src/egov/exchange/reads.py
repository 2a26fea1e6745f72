"""Who read my data (数据使用记录, issue 20 item 3): the reads of a person's or an enterprise's data
as the person sees them, and their questions about reads they do not recognise.

Reads are ``audit.SubjectRead`` rows (one per read of one subject's personal data: the exchange's
queries and served requests, staff full views of register records, staff reads of a case, a
window's identity check), found by the subject's identifier through an index. Questions are
``ReadInquiry`` rows routed to the reading organization's sharing staff (``exchange.permissions``),
answered within ``EGOV_READ_INQUIRY_DAYS`` working days. See docs/exchange.md, "Who read my data".

The service hall lies above this app: whether a read's case is the person's own, and where its
page is, is asked through the port ``case_links_set`` (wired in ``egov.wiring``).
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from egov.accounts.models import LegalPerson, User
from egov.accounts.selectors import legal_persons_acted_for
from egov.audit.actions import subject_key
from egov.audit.models import SubjectRead
from egov.exchange.models import ReadInquiry
from egov.exchange.permissions import sharing_organization_ids

PAGE_SIZE = 20  # reads per page

# (user, case numbers) → {case number: URL of the person's page of that case}, for the cases that are theirs.
CaseLinks = Callable[[User, Iterable[str]], dict[str, str]]
_case_links: CaseLinks | None = None


def case_links_set(function: CaseLinks | None) -> None:
    """Set the port that links a read's case to the person's own page of it (the composition root does)."""
    global _case_links
    _case_links = function


def case_links(user: User, cases: Iterable[str]) -> dict[str, str]:
    """``{case: url}`` for those of ``cases`` that are ``user``'s own 办件 (none without the port)."""
    cases = {case for case in cases if case}
    if _case_links is None or not cases:
        return {}
    return _case_links(user, cases)


def subjects_of(user: User) -> list[str]:
    """The subject keys (``audit.actions.subject_key``) of the identifiers whose reads ``user`` sees:
    a verified citizen's resident ID number and the USCCs of the verified enterprises they are the
    active agent of; a verified enterprise's USCC.
    Empty for staff and for an unverified account (it may hold someone else's code, issue 17)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_real_name_verified:
        return []
    if user.kind == User.Kind.NATURAL:
        codes = [user.username] + [lp.uscc for lp in legal_persons_acted_for(user=user)
                                   if lp.user.is_real_name_verified]
    elif user.kind == User.Kind.LEGAL:
        codes = [user.username, *LegalPerson.objects.filter(user=user).values_list("uscc", flat=True)]
    else:
        return []
    return sorted({subject_key(code) for code in codes} - {""})


def reads_of(*, user: User, organization_id: int | None = None, date_from: dt.date | None = None,
             date_to: dt.date | None = None) -> QuerySet[SubjectRead]:
    """The reads of ``user``'s data (``subjects_of``), newest first, optionally of one reading
    organization and within calendar dates (both ends included, the platform's time zone).

    Reading this list is not a read of anyone else's data: it is not audited.
    """
    rows = SubjectRead.objects.filter(subject__in=subjects_of(user))
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    if date_from is not None:
        rows = rows.filter(occurred_at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(occurred_at__date__lte=date_to)
    return rows.order_by("-occurred_at", "-pk")


def reading_organizations_of(*, user: User) -> list[tuple[int, str]]:
    """``[(organization id, name)]`` of the organizations that read ``user``'s data, by name (the filter's choices)."""
    rows = (SubjectRead.objects.filter(subject__in=subjects_of(user), organization_id__isnull=False)
            .values_list("organization_id", "organization_label").distinct())
    return sorted(set(rows), key=lambda row: row[1])


def inquiries_by(*, user: User, reads: Iterable[SubjectRead]) -> dict[int, ReadInquiry]:
    """``{read id: ReadInquiry}`` of ``user``'s questions about ``reads``."""
    return {inquiry.read_id: inquiry
            for inquiry in ReadInquiry.objects.filter(asked_by=user, read__in=[read.pk for read in reads])}


def inquiries_for_staff(*, user, status: str = "") -> QuerySet[ReadInquiry]:
    """The questions addressed to the organizations ``user`` acts for in sharing (data steward,
    operator), open first by due date, then answered newest first; empty for anyone else."""
    rows = ReadInquiry.objects.filter(organization_id__in=sharing_organization_ids(user)).select_related(
        "read", "organization")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-status", "due_on", "-asked_at")
