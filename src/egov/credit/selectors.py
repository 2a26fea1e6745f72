"""Reads of credit records: the sanction check (联合奖惩核查) and what the public may see (信用公示)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.dates import months_add
from egov.core.errors import NotFound, ValidationFailed
from egov.core.i18n import pick
from egov.core.masking import mask_person_name
from egov.credit import matching
from egov.credit.actions import code_shown
from egov.credit.models import (
    BLACK_LISTS,
    LIST_KINDS,
    BatchCheck,
    CreditRecord,
    CreditReport,
    CreditRequest,
    Kind,
    RequestStatus,
    Status,
    SubjectKind,
)
from egov.credit.permissions import require_check, require_credit_office, subject_codes
from egov.facilities.files import file_read
from egov.orgs.identifiers import resident_id_check, uscc_check
from egov.orgs.models import Organization


def published() -> QuerySet:
    """The records the public may see: matched and in their publication period (``PUBLISHED``)."""
    return CreditRecord.objects.filter(status=Status.PUBLISHED, matched_at__isnull=False)


def subject_parse(code: str) -> tuple[str, str]:
    """``(subject kind, normalized code)`` of a USCC or a resident ID as typed.

    Raises:
        ValidationFailed: neither (``extra = {"field": "subject", "rule": "format"}``).
    """
    for kind, check in ((SubjectKind.LEGAL, uscc_check), (SubjectKind.NATURAL, resident_id_check)):
        try:
            checked = check(code or "", field="subject")
        except ValidationFailed:
            continue
        return kind, checked if isinstance(checked, str) else checked.number
    raise ValidationFailed(
        _("Give a unified social credit code or a resident identity number."),
        extra={"field": "subject", "rule": "format"},
    )


def _memberships(code: str) -> list[CreditRecord]:
    """The subject's list memberships in publication, oldest decision first (with their providers)."""
    return list(
        published()
        .filter(subject_code=code, kind__in=LIST_KINDS)
        .select_related("provider")
        .order_by("decided_on", "pk")
    )


def membership_both(record: CreditRecord) -> dict:
    """A list membership in both languages, as the service hall's intake check and the exchange's
    联合奖惩核查 give it: ``{"number", "kind", "list": "black" | "red", "list_name", "list_name_en", "provider",
    "provider_en", "decision_document", "decided_on", "measures", "measures_en", "legal_basis",
    "legal_basis_en", "published_from", "published_until"}`` (dates ISO 8601; an ``_en`` text is "" when the
    provider gave none, the list's and the organization's names always have one)."""
    with translation.override("zh-hans"):
        name = str(record.get_kind_display())
    with translation.override("en"):
        name_en = str(record.get_kind_display())
    return {
        "number": record.number,
        "kind": record.kind,
        "list": "black" if record.kind in BLACK_LISTS else "red",
        "list_name": name,
        "list_name_en": name_en,
        "provider": record.provider.name,
        "provider_en": record.provider.name_en,
        "decision_document": record.decision_document,
        "decided_on": record.decided_on.isoformat(),
        "measures": record.measures,
        "measures_en": record.measures_en,
        "legal_basis": record.legal_basis,
        "legal_basis_en": record.legal_basis_en,
        "published_from": record.published_from.isoformat(),
        "published_until": record.published_until.isoformat(),
    }


def _check_audit(*, actor, organization, kind: str, code: str, numbers: list[str], changes: dict) -> str:
    """Audit one sanction check (``credit.subject.check``, the subject as logs name it, ``numbers`` the
    memberships found); returns that name."""
    shown = code_shown(subject_kind=kind, code=code)
    purpose = changes.get("purpose", "")
    audit_record(
        action="credit.subject.check",
        actor=actor,
        organization=organization,
        object_type="credit.subject",
        object_id=shown,
        summary=f"sanction check of {shown}" + (f" for {purpose}" if purpose else ""),
        changes={**changes, "memberships": numbers},
    )
    return shown


def subject_check(*, actor, code: str) -> dict:
    """联合奖惩核查: the subject's list memberships in publication, with the measures they carry.

    Returns:
        ``{"subject": code as shown (a person's masked), "kind", "known": the registers or the credit
        records know the subject, "black": on a black list, "red": on a red list, "memberships": [{"number",
        "kind", "kind_label", "list": "black" | "red", "measures", "legal_basis", "decision_document",
        "decided_on", "provider", "published_from", "published_until"}]}`` (dates ISO 8601). An unknown
        subject gives ``known: false`` and no memberships, never a 404.

    Raises:
        PermissionDenied: ``permissions.require_check``. ValidationFailed: not a USCC or a resident ID.
    """
    role = require_check(actor)
    kind, code = subject_parse(code)
    status = subject_status(kind=kind, code=code, case="联合奖惩核查")
    _check_audit(
        actor=actor,
        organization=None,
        kind=kind,
        code=code,
        numbers=[m["number"] for m in status["memberships"]],
        changes={"role": role, "known": status["known"]},
    )
    return status


def subject_status(*, kind: str, code: str, case: str, organization=None) -> dict:
    """A subject's list memberships in publication, not audited here: the caller audits the check it makes
    (``subject_check`` one subject, ``reports.batch_check`` a list at once). ``code`` is normalized
    (``subject_parse``); ``case`` is the purpose given to the registers when the subject has no record.

    Returns:
        ``subject_check``'s shape.
    """
    rows = _memberships(code)
    known = rows != [] or CreditRecord.objects.filter(subject_code=code, matched_at__isnull=False).exists()
    memberships = [
        {
            "number": row.number,
            "kind": row.kind,
            "kind_label": str(row.get_kind_display()),
            "list": "black" if row.kind in BLACK_LISTS else "red",
            "measures": row.local_measures,
            "legal_basis": row.local_legal_basis,
            "decision_document": row.decision_document,
            "decided_on": row.decided_on.isoformat(),
            "provider": row.provider.local_name,
            "published_from": row.published_from.isoformat(),
            "published_until": row.published_until.isoformat(),
        }
        for row in rows
    ]
    if not known:
        known = matching.subject_known(subject_kind=kind, code=code, organization=organization, case=case)
    return {
        "subject": code_shown(subject_kind=kind, code=code),
        "kind": kind,
        "known": known,
        "memberships": memberships,
        "black": any(m["list"] == "black" for m in memberships),
        "red": any(m["list"] == "red" for m in memberships),
    }


def subject_sanctions(*, actor, code: str, case: str) -> list[dict]:
    """The sanction check of an applicant at 受理 (issue 16 item 5): the subject's list memberships in
    publication (``membership_both``), for ``actor`` (a clerk) working on the case ``case`` (its 办件编号).
    Audited ``credit.subject.check`` with the 办件编号 as ``purpose``; the registers are not asked (the
    applicant is a platform account, so whether it is known is not the question).

    Raises:
        PermissionDenied: ``permissions.require_check``. ValidationFailed: not a USCC or a resident ID.
    """
    role = require_check(actor)
    kind, code = subject_parse(code)
    rows = _memberships(code)
    _check_audit(
        actor=actor,
        organization=None,
        kind=kind,
        code=code,
        numbers=[row.number for row in rows],
        changes={"role": role, "purpose": case, "basis": matching.BASIS, "via": "intake"},
    )
    return [membership_both(row) for row in rows]


def subject_record_shared(*, key: str, consumer, consumer_code: str, purpose: dict) -> dict:
    """The exchange's record source ``credit`` (联合奖惩核查 through the exchange, ``exchange.sources``): the
    subject ``key``'s (USCC or resident ID) list memberships in publication, for the consumer organization
    (``consumer``, or only its USCC ``consumer_code``) with ``purpose`` ``{"case", "basis"}``. The exchange
    checked the consumer's grant and cuts the record to the granted 信息项.

    Returns:
        ``{"subject_code": the code as given, normalized, "subject_name": as the newest of its records names
        it ("" when no record is about it), "black": bool, "red": bool, "memberships": [membership_both]}``;
        a subject on no list gives ``black``/``red`` false and an empty list (a clean answer, not a 404).
        Audited ``credit.subject.check`` by the platform for the consumer, with the purpose, the basis
        and the consumer's code.

    Raises:
        ValidationFailed: ``key`` is neither a USCC nor a resident ID (``field = subject``).
    """
    kind, code = subject_parse(key)
    rows = _memberships(code)
    newest = CreditRecord.objects.filter(subject_code=code).exclude(status=Status.HELD).order_by("-pk").first()
    _check_audit(
        actor=None,
        organization=consumer,
        kind=kind,
        code=code,
        numbers=[row.number for row in rows],
        changes={
            "purpose": str(purpose.get("case", "")),
            "basis": str(purpose.get("basis", "")),
            "consumer": consumer_code,
            "via": "exchange",
        },
    )
    memberships = [membership_both(row) for row in rows]
    return {
        "subject_code": code,
        "subject_name": newest.subject_name if newest else "",
        "black": any(m["list"] == "black" for m in memberships),
        "red": any(m["list"] == "red" for m in memberships),
        "memberships": memberships,
    }


@dataclass(frozen=True)
class PublicSubject:
    """A subject as the public site shows it (信用公示).

    ``key`` addresses its page: a legal entity's USCC (public by registration), or for a natural person
    the number of one of its published records, so that no resident ID is ever in an address. ``code``
    and ``name`` are as shown: a person's resident ID and name masked (``core.masking``). ``records``
    counts its published records, ``black``/``red`` whether one is a black- or red-list membership;
    ``latest`` is the newest decision date.
    """

    key: str
    kind: str
    code: str
    name: str
    records: int
    black: bool
    red: bool
    latest: date

    @property
    def is_person(self) -> bool:
        return self.kind == SubjectKind.NATURAL


def _subject_shown(record: CreditRecord, *, records: int, black: bool, red: bool, latest: date) -> PublicSubject:
    person = record.subject_kind == SubjectKind.NATURAL
    return PublicSubject(
        key=record.number if person else record.subject_code,
        kind=record.subject_kind,
        code=code_shown(subject_kind=record.subject_kind, code=record.subject_code),
        name=mask_person_name(record.subject_name) if person else record.subject_name,
        records=records,
        black=black,
        red=red,
        latest=latest,
    )


def public_subjects(*, q: str = "") -> QuerySet:
    """信用公示 search: the subjects with published records, newest decision first, one row each.

    ``q`` is a USCC or a resident ID (the subject with exactly that code), else a part of a name
    (case-insensitive; a person is found by the name as registered, shown masked); empty: every subject.

    Returns:
        A queryset of ``{"subject_kind", "subject_code", "newest": the pk of its newest published record,
        "latest": date, "records", "black", "red": counts}`` rows, to page and then show with
        ``public_subjects_shown``.
    """
    rows = published()
    q = (q or "").strip()
    if q:
        try:
            _kind, code = subject_parse(q)
        except ValidationFailed:
            rows = rows.filter(subject_name__icontains=q)
        else:
            rows = rows.filter(subject_code=code)
    return (
        rows.values("subject_kind", "subject_code")
        .annotate(
            newest=Max("pk"),
            latest=Max("decided_on"),
            records=Count("pk"),
            black=Count("pk", filter=Q(kind__in=BLACK_LISTS)),
            red=Count("pk", filter=Q(kind=Kind.RED)),
        )
        .order_by("-latest", "subject_code")
    )


def public_subjects_shown(rows) -> list[PublicSubject]:
    """The rows of ``public_subjects`` (one page of them) as the public sees them (``PublicSubject``)."""
    rows = list(rows)
    newest = CreditRecord.objects.in_bulk([row["newest"] for row in rows])
    return [
        _subject_shown(
            newest[row["newest"]],
            records=row["records"],
            black=row["black"] > 0,
            red=row["red"] > 0,
            latest=row["latest"],
        )
        for row in rows
    ]


def public_subject(*, key: str) -> tuple[PublicSubject, list[CreditRecord]]:
    """A subject's public record (信用公示): the subject as shown and its published records, newest decision
    first (with their providing organizations).

    ``key`` is ``PublicSubject.key``: a legal entity's USCC, or the number of one of a natural person's
    published records (a resident ID is refused, so that none is ever in an address).

    Raises:
        NotFound: no published record behind ``key``.
    """
    key = (key or "").strip().upper()
    anchor = published().filter(number=key, subject_kind=SubjectKind.NATURAL).first()
    if anchor is not None:
        code = anchor.subject_code
    else:
        try:
            kind, code = subject_parse(key)
        except ValidationFailed:
            kind = None
        if kind != SubjectKind.LEGAL:
            raise NotFound(_("No published credit record here."))
    records = list(published().filter(subject_code=code).select_related("provider").order_by("-decided_on", "-pk"))
    if not records:
        raise NotFound(_("No published credit record here."))
    subject = _subject_shown(
        records[0],
        records=len(records),
        black=any(r.kind in BLACK_LISTS for r in records),
        red=any(r.kind == Kind.RED for r in records),
        latest=records[0].decided_on,
    )
    return subject, records


def subject_records(*, user) -> list[CreditRecord]:
    """The records about the subjects ``user`` speaks for (``permissions.is_subject``: its own code, or the
    enterprises it is an agent of) that have reached the subject (not held), newest decision first."""
    codes = subject_codes(user)
    if not codes:
        return []
    return list(
        CreditRecord.objects.filter(subject_code__in=codes).exclude(status=Status.HELD).select_related("provider")
    )


def subject_record(*, user, number: str) -> CreditRecord:
    """One record about a subject ``user`` speaks for, by number.

    Raises:
        NotFound: no such record, or not about the user's subject (the same answer, so numbers are not probed).
    """
    for record in subject_records(user=user):
        if record.number == number:
            return record
    raise NotFound(_("No such credit record of yours."))


def subject_requests(*, user) -> QuerySet:
    """The objections and repair applications ``user`` filed, newest first."""
    return CreditRequest.objects.filter(applicant=user).select_related("record").order_by("-pk")


def office_requests(*, user, open_only: bool = True) -> QuerySet:
    """The credit office's list: open requests (or all), the earliest answer due first.

    Raises:
        PermissionDenied: not the credit office.
    """
    require_credit_office(user)
    rows = CreditRequest.objects.select_related("record", "record__provider")
    return rows.filter(status=RequestStatus.SUBMITTED) if open_only else rows.order_by("-pk")


def office_request(*, user, number: str) -> CreditRequest:
    """One request for the credit office; the read shows the subject's code and the applicant's reasons, so
    it is audited (``credit.request.read``).

    Raises:
        PermissionDenied: not the credit office. NotFound: no such request.
    """
    require_credit_office(user)
    try:
        row = CreditRequest.objects.select_related("record", "record__provider", "applicant").get(number=number)
    except CreditRequest.DoesNotExist:
        raise NotFound(_("No such request.")) from None
    audit_record(
        action="credit.request.read",
        actor=user,
        obj=row,
        summary=f"{row.number}: subject's code and reasons",
        changes={"what": ["subject_code", "reason", "applicant"]},
    )
    return row


def office_request_attachment(*, user, number: str) -> tuple[CreditRequest, bytes]:
    """The supporting file a subject gave with one request, for the credit office: ``(request, bytes)``, the
    bytes checked against their SHA-256 (``facilities.files.file_read``). The file is the subject's own
    evidence, so the read is audited as a read of personal data (``credit.request.attachment_read``).

    Raises:
        PermissionDenied: not the credit office. NotFound: no such request, no file with it, or its bytes
            missing or altered.
    """
    require_credit_office(user)
    row = CreditRequest.objects.select_related("attachment").filter(number=number).first()
    if row is None:
        raise NotFound(_("No such request."))
    if row.attachment is None:
        raise NotFound(_("This request has no supporting document."))
    data = file_read(stored=row.attachment)
    audit_record(
        action="credit.request.attachment_read",
        actor=user,
        obj=row,
        summary=f"{row.number}: the applicant's supporting document",
        changes={"what": ["attachment"], "sha256": row.attachment.sha256, "kind": row.attachment.kind},
    )
    return row, data


STATISTICS_MONTHS = 12


@dataclass(frozen=True)
class PublicStatistics:
    """The figures of the public statistics page (信用公示统计), all counts of records.

    ``by_kind``: ``[(Kind value, count)]`` of the records published now (``published``), in the order of
    ``Kind``, every kind listed (0 when none). ``by_provider``: ``[(organization name in the current
    language, count)]`` of the records published now, by deciding organization, most first (then by the
    organization tree). ``by_month``: ``[(first day of the month, count)]`` of the records that went public
    in each of the last ``STATISTICS_MONTHS`` calendar months (``today``'s month last) by their first day of
    publication, whatever became of them since (expired, repaired), revoked ones left out (an accepted
    objection says they should never have been public). ``total``: the records published now.
    """

    by_kind: list[tuple[str, int]]
    by_provider: list[tuple[str, int]]
    by_month: list[tuple[date, int]]
    total: int


def public_statistics(*, today: date) -> PublicStatistics:
    """The public figures of credit records (``PublicStatistics``), in four grouped queries whatever the
    number of organizations: published records by kind, by deciding organization (with the organizations'
    names in a second query) and records first published by month.

    Not audited: the records counted are public by law (信用公示), and a count names nobody.
    """
    now = published()
    kinds = dict(now.order_by().values_list("kind").annotate(n=Count("pk")))
    by_kind = [(kind.value, kinds.get(kind.value, 0)) for kind in Kind]
    counts = list(now.order_by().values_list("provider_id").annotate(n=Count("pk")))
    names = {
        row.pk: row
        for row in Organization.objects.filter(pk__in=[pk for pk, _n in counts]).only("name", "name_en", "path")
    }
    counts.sort(key=lambda row: (-row[1], names[row[0]].path))
    by_provider = [(pick(names[pk].name, names[pk].name_en), n) for pk, n in counts]
    first = months_add(today.replace(day=1), -(STATISTICS_MONTHS - 1))
    months = dict(
        CreditRecord.objects.filter(published_from__gte=first, published_from__lte=today)
        .exclude(status=Status.REVOKED)
        .order_by()
        .annotate(month=TruncMonth("published_from"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    by_month = [(month, months.get(month, 0)) for month in (months_add(first, i) for i in range(STATISTICS_MONTHS))]
    return PublicStatistics(by_kind=by_kind, by_provider=by_provider, by_month=by_month, total=sum(kinds.values()))


def reports_requested_by(*, user) -> QuerySet:
    """The credit reports ``user`` asked for, newest first."""
    return CreditReport.objects.filter(requester=user).select_related("requester_organization", "document")


def reports_about(*, user) -> QuerySet:
    """Who asked for reports about the subjects ``user`` speaks for (``permissions.subject_codes``): every report
    on them, the subject's own included, newest first; none for a user who speaks for no subject."""
    codes = subject_codes(user)
    if not codes:
        return CreditReport.objects.none()
    return CreditReport.objects.filter(subject_code__in=codes).select_related("requester_organization", "requester")


def report_of(*, user, number: str):
    """One report ``user`` asked for, by number.

    Raises:
        NotFound: none, or asked for by someone else (the same answer).
    """
    row = reports_requested_by(user=user).filter(number=number).select_related("file").first()
    if row is None:
        raise NotFound(_("No such credit report of yours."))
    return row


def checks_requested_by(*, user) -> QuerySet:
    """The batch checks ``user`` ran, newest first."""
    return BatchCheck.objects.filter(requester=user).select_related("requester_organization", "document")


def check_of(*, user, number: str):
    """One batch check ``user`` ran, by number.

    Raises:
        NotFound: none, or run by someone else.
    """
    row = checks_requested_by(user=user).filter(number=number).select_related("file").first()
    if row is None:
        raise NotFound(_("No such batch check of yours."))
    return row
