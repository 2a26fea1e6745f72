"""Reads of credit records: the sanction check (联合奖惩核查) and what the public may see."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import ValidationFailed
from egov.credit import matching
from egov.credit.actions import code_shown
from egov.credit.models import BLACK_LISTS, LIST_KINDS, CreditRecord, Status, SubjectKind
from egov.credit.permissions import require_check
from egov.orgs.identifiers import resident_id_check, uscc_check


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
    rows = list(
        published()
        .filter(subject_code=code, kind__in=LIST_KINDS)
        .select_related("provider")
        .order_by("decided_on", "pk")
    )
    known = rows != [] or CreditRecord.objects.filter(subject_code=code, matched_at__isnull=False).exists()
    shown = code_shown(subject_kind=kind, code=code)
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
        known = matching.subject_known(subject_kind=kind, code=code, organization=None, case="联合奖惩核查")
    audit_record(
        action="credit.subject.check",
        actor=actor,
        object_type="credit.subject",
        object_id=shown,
        summary=f"sanction check of {shown}",
        changes={"role": role, "known": known, "memberships": [m["number"] for m in memberships]},
    )
    return {
        "subject": shown,
        "kind": kind,
        "known": known,
        "memberships": memberships,
        "black": any(m["list"] == "black" for m in memberships),
        "red": any(m["list"] == "red" for m in memberships),
    }
