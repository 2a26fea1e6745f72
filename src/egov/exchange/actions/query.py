"""The platform's own exchange query (平台内查询): the service hall and other parts of the platform
act for their organizations without a node (the demo runs none), so a query is answered in this
process from the same record sources a node serves (``exchange.sources``), under the same grants.

Logged like a node's exchange (``LoggedMessage``, hash-chained): an ``out`` ``request`` row whose
body is ``{"purpose": {"case", "basis"}, "query": {key: value}}`` (the local listener's shape) and an
``in`` ``response`` row answering it (``in_reply_to``) with the status and the body given back. There
is no envelope (``envelope`` is empty): nothing leaves the process, so nothing is signed; the
service is named ``platform:<source>``. Where a consumer node is configured the same query can go
through ``Node.send`` instead; this issue keeps it in process.
"""

import json
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record, audit_subject_read
from egov.core.actors import is_system
from egov.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from egov.exchange.actions.traffic import traffic_record
from egov.exchange.envelope import message_id
from egov.exchange.log import log_append_many
from egov.exchange.models import InformationItem, InformationResource
from egov.exchange.permissions import may_act_for
from egov.exchange.selectors import allowed_fields, record_cut
from egov.exchange.sources import record_source_read
from egov.orgs.models import Organization


@dataclass(frozen=True)
class QueryAnswer:
    """A record given by ``exchange_query``: ``record`` cut to the granted 信息项 (field → value),
    ``items`` those fields with their catalog names (``[(field, name, name_en)]``, catalog order),
    the resource, its provider's name and code, the time of the answer and the response's
    ``message_id`` in the message log (the request's is ``request_id``)."""

    record: dict
    items: list[tuple[str, str, str]]
    resource_code: str
    resource_name: str
    resource_name_en: str
    provider_name: str
    provider_name_en: str
    provider_code: str
    answered_at: datetime
    message_id: str
    request_id: str


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str).encode()


def subject_kind_of(record: dict) -> tuple[str, str] | None:
    """Whose personal data a record source's row is: ``("natural", resident ID)`` when it names an
    ``id_number``, ``("legal", USCC)`` when it names a ``uscc``; an e-licence's ``holder_code``: natural
    when it is a valid resident ID number, legal otherwise; else None (not one person's data)."""
    if record.get("id_number"):
        return "natural", str(record["id_number"])
    if record.get("uscc"):
        return "legal", str(record["uscc"])
    holder = str(record.get("holder_code") or "").strip().upper()
    if holder:
        return ("natural" if _resident_id_valid(holder) else "legal"), holder
    return None


def _resident_id_valid(code: str) -> bool:
    """True for an 18-character resident ID number whose check character is right (GB 11643-1999
    §5.2: weights 2^(17-i) mod 11 over the first 17 digits, ``"10X98765432"[sum mod 11]``)."""
    if len(code) != 18 or not code[:17].isdigit():
        return False
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(code[:17]))
    return "10X98765432"[total % 11] == code[17]


def subject_read_log(*, record: dict, fields, resource: InformationResource, purpose: dict, action: str,
                     organization: Organization | None = None, organization_label: str = "", event=None):
    """Record for "who read my data" that the consumer read ``fields`` (the 信息项 given, field names)
    of the person or enterprise ``record`` (the source's whole row) is about (``subject_kind_of``);
    nothing for a row about no one. Catalog names are copied, so the page keeps them if the
    catalog changes. See ``audit.actions.audit_subject_read``."""
    subject = subject_kind_of(record)
    if subject is None:
        return None
    names = {item.field: (item.name, item.name_en) for item in resource.items.order_by("sort_order", "pk")}
    given = [(field, *names[field]) for field in names if field in fields]
    return audit_subject_read(
        subject=subject[1], subject_kind=subject[0], organization=organization,
        organization_label=organization_label, action=action, fields=given,
        case=purpose.get("case", ""), basis=purpose.get("basis", ""), resource_code=resource.code,
        resource_name=resource.name, resource_name_en=resource.name_en, via="exchange", event=event,
    )


def _own_fields(resource: InformationResource, consumer: Organization) -> frozenset[str]:
    """Every item of ``resource`` but those marked 不予共享 when ``consumer`` is its provider (an
    organization reads what it keeps itself without a grant); empty otherwise."""
    if not consumer.uscc or consumer.uscc != resource.provider_code:
        return frozenset()
    return frozenset(
        resource.items.exclude(sharing_type=InformationItem.SharingType.NONE).values_list("field", flat=True)
    )


def exchange_query(
    *, actor, consumer: Organization, resource_code: str, source: str, key: str, purpose: dict
) -> QueryAnswer:
    """Ask for the record ``key`` of resource ``resource_code`` for ``consumer``, in this process.

    Args:
        actor: ``SYSTEM`` (the platform acting for ``consumer``, e.g. the service hall at a
            submission) or a data steward or operator of ``consumer``.
        consumer: the organization that receives the data; its USCC must hold a grant in force.
        resource_code: the catalog resource whose grants govern the answer.
        source: the record source that holds the records (``exchange.sources``), e.g. ``population``.
        key: the record's identifier (ID number, USCC, …).
        purpose: ``{"case": 办件编号 or 发文字号, "basis": legal basis}``, both required: logged with
            the request and audited.

    Returns:
        The answer (``QueryAnswer``): only the granted 信息项, never an item marked 不予共享.

    Raises:
        PermissionDenied: the actor may not act for ``consumer``; or no grant in force
            (``extra["rule"] == "no_grant"``, with the reason). The provider itself needs no grant
            for its own resource (it gets every item but those marked 不予共享).
        ValidationFailed: no purpose (``field = purpose``).
        NotFound: no such resource, source or record.
    """
    if not (is_system(actor) or may_act_for(actor, consumer)):
        raise PermissionDenied(
            _("You may not query the exchange for this organization."), extra={"rule": "organization"}
        )
    purpose = {"case": str(purpose.get("case", "")).strip(), "basis": str(purpose.get("basis", "")).strip()}
    if not purpose["case"] or not purpose["basis"]:
        raise ValidationFailed(
            _("A request states its purpose: the case number and the legal basis."),
            extra={"field": "purpose", "rule": "required"},
        )
    resource = InformationResource.objects.filter(code=resource_code).first()
    if resource is None:
        raise NotFound(_("No such information resource."), extra={"resource": resource_code})
    service = f"platform:{source}"
    request_id, reply_id = message_id(), message_id()
    started = time.perf_counter()
    with transaction.atomic():
        status, answer, record = 200, None, None
        try:
            fields = (
                _own_fields(resource, consumer)
                or allowed_fields(resource_code=resource_code, consumer_code=consumer.uscc or "",
                                  resource=resource).fields
            )
            found = record_source_read(
                name=source, key=key, consumer=consumer, consumer_code=consumer.uscc or "", purpose=purpose
            )
            if found is None:
                raise NotFound(_("No such record."), extra={"field": "key"})
            record = record_cut(found, fields=fields)
            answer = {"resource": resource_code, "record": record, "granted": sorted(fields)}
        except ApplicationError as error:
            status, failure = error.status, error
            answer = error.as_json()
        now = timezone.now()
        log_append_many(
            [
                {
                    "direction": "out",
                    "kind": "request",
                    "message_id": request_id,
                    "peer_code": resource.provider_code,
                    "service": service,
                    "envelope": "",
                    "body": _json({"purpose": purpose, "query": {"key": key}}),
                },
                {
                    "direction": "in",
                    "kind": "response",
                    "message_id": reply_id,
                    "in_reply_to": request_id,
                    "peer_code": resource.provider_code,
                    "service": service,
                    "envelope": "",
                    "body": _json(answer),
                    "status": status,
                },
            ]
        )
        event = audit_record(
            action="exchange.query",
            actor=actor,
            organization=consumer,
            obj=resource,
            summary=f"{resource_code} {service} for {purpose['case']}: {status}",
            changes={"purpose": purpose, "status": status, "message_id": reply_id, "fields": sorted(record or {})},
        )
        if record:
            subject_read_log(record=found, fields=record, resource=resource, organization=consumer,
                             purpose=purpose, action="exchange.query", event=event)
        traffic_record(at=now, resource_code=resource_code, consumer_code=consumer.uscc or "",
                       ms=(time.perf_counter() - started) * 1000, error=status >= 400)
    if status != 200:
        raise failure
    names = {item.field: (item.name, item.name_en) for item in resource.items.order_by("sort_order", "pk")}
    items = [(field, *names[field]) for field in names if field in record]
    return QueryAnswer(
        record=record,
        items=items,
        resource_code=resource_code,
        resource_name=resource.name,
        resource_name_en=resource.name_en,
        provider_name=resource.provider_name,
        provider_name_en=resource.provider_name_en,
        provider_code=resource.provider_code,
        answered_at=now,
        message_id=reply_id,
        request_id=request_id,
    )
