"""Who read my data (数据使用记录): the reads of a person's or an enterprise's register record, shown
to them from the audit log (Estonia's Data Tracker, Andmejälgija, is the model).

A read of a register record that the person concerned should see is an audit event whose
``object_type``/``object_id`` name the record row (``registries.populationrecord`` or
``registries.legalentityrecord``, and the row's primary key as text: what ``audit_record(obj=row)``
writes) and whose ``action`` ends in ``.read``. ``changes`` may carry ``role`` (the reader's role,
a ``orgs.roles.Role`` value), ``purpose`` (the 办件编号 or 发文字号 the read served) and ``fields``
(the 信息项 read). Staff full views write ``registries.<register>.read``; reads through the exchange
follow the same rule (docs/registries.md). Nothing is copied: the page reads the log.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from egov.accounts.models import LegalPerson, User
from egov.accounts.selectors import legal_persons_acted_for
from egov.audit.labels import purpose_label, reader_label
from egov.audit.models import AuditEvent
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.registries.models import LegalEntityRecord, PopulationRecord

MAX_SHOWN = 500  # the newest reads; older ones stay in the log


@dataclass(frozen=True)
class DataUse:
    """One read: when, by which organization (its name in the active language), in which role (the
    reader's role when recorded; staff sign-in names are not shown to the public), what for
    (``purpose``: the 办件编号 when one), which 信息项 (``fields``, may be empty: the whole record),
    and whose record (``subject``: the person's or enterprise's name)."""

    at: dt.datetime
    organization: str
    role: str
    purpose: str
    fields: tuple[str, ...]
    subject: str
    register: str  # "population" or "legal_entity"


def _records_of(user: User) -> list[tuple[str, object]]:
    """The register rows about ``user``: a citizen's population record and the legal-entity records
    of the enterprises they are the active agent of (the enterprise's account verified too); an enterprise's
    own legal-entity record. None for an unverified account (实名认证, issue 17)."""
    rows: list[tuple[str, object]] = []
    if not user.is_real_name_verified:
        return rows  # an unverified account may hold someone else's code: it sees nobody's reads (issue 17)
    natural = getattr(user, "natural_person", None) if user.kind == User.Kind.NATURAL else None
    if natural is not None:
        rows += [("population", row) for row in PopulationRecord.objects.filter(id_number=natural.id_number)]
    codes = (
        [lp.uscc for lp in legal_persons_acted_for(user=user) if lp.user.is_real_name_verified]
        if natural is not None
        else []
    )
    if user.kind == User.Kind.LEGAL:
        codes += list(LegalPerson.objects.filter(user=user).values_list("uscc", flat=True))
    rows += [("legal_entity", row) for row in LegalEntityRecord.objects.filter(uscc__in=codes).order_by("name")]
    return rows


def data_uses_of(*, user: User) -> list[DataUse]:
    """The reads of the register records about ``user`` (``_records_of``), newest first, at most
    ``MAX_SHOWN``. The user's own data: reading it is not itself audited.

    Returns:
        ``[DataUse, ...]``; empty for staff, for an unverified account, for someone without a register
        record, and when no one read it.
    """
    records = _records_of(user)
    if not records:
        return []
    where = Q()
    about = {}
    for register, row in records:
        object_type = f"{row._meta.app_label}.{row._meta.model_name}"
        where |= Q(object_type=object_type, object_id=str(row.pk))
        about[(object_type, str(row.pk))] = (register, row.name)
    events = list(AuditEvent.objects.filter(where, action__endswith=".read").order_by("-seq")[:MAX_SHOWN])
    organizations = Organization.objects.in_bulk({event.organization_id for event in events} - {None})
    out = []
    for event in events:
        organization = organizations.get(event.organization_id)
        register, subject = about[(event.object_type, event.object_id)]
        changes = event.changes if isinstance(event.changes, dict) else {}
        role = str(changes.get("role", ""))
        fields = changes.get("fields") or ()
        out.append(
            DataUse(
                at=event.occurred_at,
                organization=reader_label(organization, event.organization_label),
                role=str(Role(role).label) if role in Role.values else role,
                purpose=purpose_label(str(changes.get("purpose", ""))),
                fields=tuple(str(field) for field in fields),
                subject=subject,
                register=register,
            )
        )
    return out
