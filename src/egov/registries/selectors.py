"""Reads of the base registers: masked rows for lists, a row as of a date, its versions, match rules."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import NotFound
from egov.core.masking import mask_id_number, mask_person_name
from egov.orgs.identifiers import identifier_as_typed
from egov.registries.models import (
    EconomicIndicator,
    IndicatorValue,
    LegalEntityRecord,
    PopulationRecord,
    RecordVersion,
    Register,
)
from egov.registries.permissions import require_search

MODELS = {Register.POPULATION: PopulationRecord, Register.LEGAL_ENTITY: LegalEntityRecord}
KEY_FIELDS = {Register.POPULATION: "id_number", Register.LEGAL_ENTITY: "uscc"}
# The fields a row's versions compare and keep (everything but bookkeeping).
DATA_FIELDS = {
    Register.POPULATION: ("id_number", "name", "sex", "birth_date", "ethnicity", "household_division", "address",
                          "status"),
    Register.LEGAL_ENTITY: ("uscc", "name", "entity_type", "legal_representative", "registered_capital",
                            "capital_currency", "established_on", "address", "division", "business_scope", "status"),
}
HIDDEN = "***"


@dataclass(frozen=True)
class MatchRule:
    """How an incoming row is matched to a stored one: always on ``key`` (the identifier); when a
    stored row matches but one of ``confirm`` differs, the row is kept and flagged for review."""

    key: str
    confirm: tuple[str, ...] = ()


def match_rule(register: str) -> MatchRule:
    """The duplicate-matching rule of ``register`` from ``settings.EGOV_REGISTRY_MATCH`` (a dict
    ``{"population": {"key": "id_number", "confirm": ["name"]}}``); default: the identifier alone.

    Raises:
        ImproperlyConfigured: a rule whose key is not the register's identifier (matching on a name
            alone would merge different people) or that names an unknown field.
    """
    configured = getattr(settings, "EGOV_REGISTRY_MATCH", {}).get(register, {})
    rule = MatchRule(key=configured.get("key", KEY_FIELDS[register]), confirm=tuple(configured.get("confirm", ())))
    if rule.key != KEY_FIELDS[register]:
        raise ImproperlyConfigured(f"EGOV_REGISTRY_MATCH[{register!r}]: the key must be {KEY_FIELDS[register]!r}, "
                                   f"not {rule.key!r} (never match on a name alone)")
    unknown = [field for field in rule.confirm if field not in DATA_FIELDS[register]]
    if unknown:
        raise ImproperlyConfigured(f"EGOV_REGISTRY_MATCH[{register!r}]: unknown confirm fields {unknown}")
    return rule


def masked(register: str, record) -> dict:
    """The row's values as lists show them: identifiers and personal names masked, the birth date and
    a person's address hidden (``core.masking``: ``3202**********1234``, ``张*``)."""
    if register == Register.POPULATION:
        return {"id_number": mask_id_number(record.id_number), "name": mask_person_name(record.name),
                "sex": record.get_sex_display(), "birth_date": HIDDEN, "ethnicity": record.ethnicity,
                "household_division": record.household_division, "address": HIDDEN,
                "status": record.get_status_display()}
    return {"uscc": record.uscc, "name": record.name, "entity_type": record.entity_type,
            "legal_representative": mask_person_name(record.legal_representative),
            "status": record.get_status_display(), "division": record.division}


def identifier_normalize(value: str) -> str:
    """An identifier as typed (full-width, spaces, lowercase x) in its stored form."""
    return identifier_as_typed(value)


def record_search(*, actor, register: str, query: str) -> list:
    """Rows of ``register`` whose identifier is ``query`` (exactly, after normalizing what was typed).

    Lists show masked values only (``masked``). The search is audited (``registries.<register>.search``)
    with the masked identifier, since an answer says that the person is in the register.

    Raises:
        PermissionDenied: ``actor`` holds no search role.
    """
    organization = require_search(actor)
    key = identifier_normalize(query)
    rows = list(MODELS[register].objects.filter(**{KEY_FIELDS[register]: key})) if key else []
    audit_record(action=f"registries.{register}.search", actor=actor, organization=organization,
                 object_type=f"registries.{register}", object_id=mask_id_number(key),
                 summary=_("Register search: %(count)d found") % {"count": len(rows)},
                 changes={"shown": [str(row.pk) for row in rows], "count": len(rows)})
    return rows


def record_get(*, register: str, key: str = "", pk: int | None = None):
    """The current row of ``register`` with identifier ``key`` (or primary key ``pk``: pages link to
    records by ``pk`` so that no identifier appears in a URL, an access log or the browser history).

    One probe of the identifier's unique index (or the primary key); no ``ORDER BY``, which
    ``first()`` would add and which let the planner walk the primary key instead.

    Raises:
        NotFound: no such row.
    """
    lookup = {"pk": pk} if pk is not None else {KEY_FIELDS[register]: identifier_normalize(key)}
    row = next(iter(MODELS[register].objects.filter(**lookup)[:1]), None)
    if row is None:
        raise NotFound(_("No such record in the register."), extra={"key": mask_id_number(key)})
    return row


def _row_data(register: str, row) -> dict:
    """The row's data fields as versions keep them (JSON: dates ISO 8601, capital a string)."""
    data = {}
    for field in DATA_FIELDS[register]:
        value = getattr(row, field)
        data[field] = value.isoformat() if isinstance(value, datetime.date) else (
            str(value) if isinstance(value, Decimal) else value)
    return data


def record_versions(*, register: str, key: str) -> list[RecordVersion]:
    """Every version of the row, oldest first: number 1, its creation, read from the row itself
    (an unsaved ``RecordVersion`` with ``recorded_at``, ``actor``, ``actor_label`` and ``source`` of
    the creation, no ``changes``), then one stored ``RecordVersion`` per change. Empty if no such row."""
    key = identifier_normalize(key)
    row = MODELS[register].objects.filter(**{KEY_FIELDS[register]: key}).select_related("created_by").first()
    if row is None:
        return []
    creation = RecordVersion(register=register, key=key, number=1, recorded_at=row.created_at,
                             actor=row.created_by, actor_label=row.created_label,
                             source=row.created_source or row.source, changes={})
    changes = RecordVersion.objects.filter(register=register, key=key).select_related("actor").order_by("number")
    return [creation, *changes]


def record_as_of(*, register: str, key: str, when: datetime.datetime | datetime.date) -> dict | None:
    """The row as it stood at ``when`` (a date means the end of that day, local time), as JSON
    (dates ISO 8601, capital a string); None if the row did not exist yet.

    Walks back from the current row: the ``data`` (the row before the change) of the first change
    recorded after ``when``, or the current row when nothing changed since."""
    if isinstance(when, datetime.date) and not isinstance(when, datetime.datetime):
        from django.utils import timezone

        when = timezone.make_aware(datetime.datetime.combine(when, datetime.time.max))
    key = identifier_normalize(key)
    row = next(iter(MODELS[register].objects.filter(**{KEY_FIELDS[register]: key})[:1]), None)
    if row is None or row.created_at > when:
        return None
    later = (RecordVersion.objects.filter(register=register, key=key, recorded_at__gt=when)
             .order_by("number").first())
    return dict(later.data) if later else _row_data(register, row)


# Macro-economic data (宏观经济数据): public figures, read without audit (no personal data).


def indicators_published() -> list[EconomicIndicator]:
    """The indicators that have at least one figure, in their order (``sort_order``, code)."""
    return list(EconomicIndicator.objects.filter(values__isnull=False).distinct().order_by("sort_order", "code"))


def indicator_get(*, code: str) -> EconomicIndicator:
    """The indicator ``code``.

    Raises:
        NotFound: no such indicator.
    """
    indicator = EconomicIndicator.objects.filter(code=code).first()
    if indicator is None:
        raise NotFound(_("No such indicator."), extra={"code": code[:40]})
    return indicator


def indicator_coverage(*, indicator: EconomicIndicator) -> dict[str, list[str]]:
    """What the indicator has figures for: ``{"divisions": [codes, ascending], "kinds": [period kinds
    present, year first], "periods": {kind: [periods, ascending]}}``."""
    rows = IndicatorValue.objects.filter(indicator=indicator).values_list("division", "period", "period_kind")
    divisions, periods = set(), {}
    for division, period, kind in rows:
        divisions.add(division)
        periods.setdefault(kind, set()).add(period)
    order = [kind for kind in IndicatorValue.PeriodKind.values if kind in periods]
    return {"divisions": sorted(divisions), "kinds": order,
            "periods": {kind: sorted(periods[kind]) for kind in order}}


def indicator_series(*, indicator: EconomicIndicator, division: str, kind: str) -> list[IndicatorValue]:
    """The figures of one division over time: periods of ``kind`` (``year``, ``quarter``, ``month``),
    oldest first."""
    return list(IndicatorValue.objects.filter(indicator=indicator, division=division, period_kind=kind)
                .order_by("period"))


def indicator_across_divisions(*, indicator: EconomicIndicator, period: str) -> list[IndicatorValue]:
    """The figures of every division for one period, by division code (the city, 320200, before its
    districts and its county-level cities 32028x)."""
    return list(IndicatorValue.objects.filter(indicator=indicator, period=period).order_by("division"))


def indicator_values_all(*, indicator: EconomicIndicator) -> list[IndicatorValue]:
    """Every figure of the indicator, by division then period (the downloads)."""
    return list(IndicatorValue.objects.filter(indicator=indicator).order_by("division", "period_kind", "period"))


def division_names(codes) -> dict[str, str]:
    """The current GB/T 2260 name of each code (the latest name for a code no longer in use)."""
    from egov.orgs.models import Division

    names: dict[str, str] = {}
    for code, name in (Division.objects.filter(code__in=set(codes)).order_by("code", "valid_from")
                       .values_list("code", "name")):
        names[code] = name  # the latest period of use comes last
    return names


def indicator_value_versions(*, value: IndicatorValue) -> list[RecordVersion]:
    """The changes of one figure (revisions: value or status), oldest first; version 1 is the row's creation."""
    return list(RecordVersion.objects.filter(register=Register.ECONOMIC, key=str(value.pk)).order_by("number"))

def record_read(*, register: str, key: str, organization, purpose: dict, actor=None) -> dict | None:
    """The current row ``key`` of ``register`` as the exchange gives it (the catalog's 信息项 field
    names: a person's ``address`` is ``household_address``; dates ISO 8601, capital a string,
    statuses as stored), or None. Called by the exchange's record sources for a consumer.

    Every read that finds a row is an audit event ``registries.<register>.read`` naming the row
    (``obj``), so the person concerned sees who read their data: ``organization`` is the consumer,
    ``actor`` the platform (None) or the user asking, and ``changes`` carries the ``purpose`` (the
    办件编号 the read serves), the legal ``basis`` and the consumer's code, in the shape the person's
    "who read my data" page reads (``registries.data_use``).

    Args:
        organization: the consumer ``Organization`` (or None when only its code is known).
        purpose: ``{"case", "basis"}``; a ``"consumer"`` key adds the consumer's USCC.
    """
    rows = list(MODELS[register].objects.filter(**{KEY_FIELDS[register]: identifier_normalize(key)})[:1])
    if not rows:
        return None
    row = rows[0]
    data = _row_data(register, row)
    if register == Register.POPULATION:
        data["household_address"] = data.pop("address")
    data["source"] = row.source
    data["updated_at"] = row.updated_at.isoformat()
    audit_record(action=f"registries.{register}.read", actor=actor, organization=organization, obj=row,
                 summary=_("Register record read through the exchange for %(case)s")
                 % {"case": purpose.get("case", "")},
                 changes={"purpose": purpose.get("case", ""), "basis": purpose.get("basis", ""),
                          "consumer": purpose.get("consumer", getattr(organization, "uscc", "")),
                          "via": "exchange"})
    return data
