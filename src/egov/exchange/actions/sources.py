"""Resource sources (异源): a providing organization says where its node reads a resource's records
and which source column each 信息项 is read from (``models.ResourceSource``, ``adapters.py``).

Who: the platform (``SYSTEM``, e.g. ``egov exchange source`` on a node) or a data steward or
operator of the providing organization (``permissions.may_act_for``). Audited without the
connection details.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.adapters import mapping_check
from egov.exchange.models import InformationResource, ResourceSource
from egov.exchange.permissions import SHARING_ROLES, may_act_for
from egov.exchange.resource_sources import adapter_build, source_extract, source_forget
from egov.exchange.sources_secret import hint, secret_open, secret_seal
from egov.orgs.models import Organization

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _provider(resource: InformationResource) -> Organization | None:
    return Organization.objects.filter(uscc=resource.provider_code).first()


def require_source_admin(actor, resource: InformationResource) -> Organization | None:
    """Raise unless ``actor`` is the platform or a data steward/operator of ``resource``'s provider.

    Raises:
        PermissionDenied: ``extra = {"rule": "source_role", "roles": [...]}``.
    """
    provider = _provider(resource)
    if is_system(actor) or may_act_for(actor, provider):
        return provider
    raise PermissionDenied(_("Only a data steward or operator of the providing organization can set its sources."),
                           extra={"rule": "source_role", "roles": [str(role) for role in SHARING_ROLES]})


@transaction.atomic
def resource_source_save(*, actor, resource: InformationResource, code: str, kind: str, connection: dict | None,
                         key_column: str, mapping: dict[str, str], table: str = "",
                         change_column: str = "") -> ResourceSource:
    """Create or change the source ``code`` of ``resource``, after reading the source's columns and
    checking the mapping against them (``adapters.mapping_check``).

    Args:
        connection: ``{"url"}`` (PostgreSQL, MySQL/MariaDB: ``postgresql://user:password@host/db``),
            ``{"path"}`` (CSV, XLSX: a file the node can read) or ``{"url", "headers"}`` (HTTP);
            None keeps the stored details of an existing source.
        mapping: ``{信息项 field: source column}``.

    Returns:
        The saved source (its connection sealed, ``connection_hint`` showable).

    Raises:
        PermissionDenied: ``require_source_admin``.
        ValidationFailed: bad code or kind, details missing, no such table, a mapping naming an
            item or column that does not exist or of a type the item cannot be read from (the
            error names the 信息项 and the column), key or change column missing.
        SourceUnavailable: the source cannot be reached to check the mapping (503; nothing saved).
    """
    provider = require_source_admin(actor, resource)
    if not _CODE.match(code or ""):
        raise ValidationFailed(_("A source code is lower-case letters, digits, - and _ (at most 60)."),
                               extra={"field": "code", "rule": "format"})
    existing = ResourceSource.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.resource_id != resource.pk:
        raise ValidationFailed(_("This source code is used by another resource."),
                               extra={"field": "code", "rule": "unique"})
    if connection is None:
        if existing is None:
            raise ValidationFailed(_("Give the connection details."), extra={"field": "connection", "rule": "required"})
        details = secret_open(existing.connection)
    else:
        details = dict(connection)
    mapping = {str(k): str(v) for k, v in (mapping or {}).items() if str(v).strip()}
    adapter = adapter_build(kind=kind, details=details, resource=resource.code, table=table,
                            key_column=key_column, change_column=change_column)
    items = {i.field: (i.name, i.data_type) for i in resource.items.all()}
    mapping_check(items=items, columns=adapter.columns(), mapping=mapping, key_column=key_column,
                  change_column=change_column)
    source = existing or ResourceSource(code=code, resource=resource)
    before = {} if existing is None else {"kind": existing.kind, "table": existing.table,
                                          "key_column": existing.key_column,
                                          "change_column": existing.change_column, "mapping": existing.mapping}
    source.kind, source.table, source.key_column, source.change_column = kind, table, key_column, change_column
    source.mapping = mapping
    source.connection, source.connection_hint = secret_seal(details), hint(details)
    source.updated_by = None if is_system(actor) else actor
    source.save()
    transaction.on_commit(source_forget)  # this process serves the new mapping at once
    after = {"kind": kind, "table": table, "key_column": key_column, "change_column": change_column,
             "mapping": mapping}
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if connection is not None:
        changes["connection"] = "changed"  # never the details
    audit_record(action="exchange.resource_source.save", actor=actor, organization=provider, obj=source,
                 summary=f"{resource.code} ← {source.connection_hint}", changes=changes,
                 actor_label="" if actor else "egov exchange source")
    return source


@transaction.atomic
def resource_source_preview(*, actor, source: ResourceSource, n: int = 10) -> tuple[list[dict], list[dict]]:
    """The first ``n`` (1–50) records of ``source`` as the node would serve them, for its
    administrator to check the mapping. Audited (``exchange.resource_source.preview``: the rows
    read, not their values) because the records may be personal data.

    Returns:
        ``(records, problems)``: records keyed by 信息项 field (text values), and the malformed rows
        (``{"row", "item", "reason"}``).

    Raises:
        PermissionDenied: ``require_source_admin``. SourceUnavailable: the source is down (503).
    """
    provider = require_source_admin(actor, source.resource)
    fields, rows, _cursor, problems = source_extract(source.code, after=None, limit=max(1, min(int(n), 50)))
    records = [dict(zip(fields, row, strict=True)) for row in rows]
    audit_record(action="exchange.resource_source.preview", actor=actor, organization=provider, obj=source,
                 summary=source.resource.code, changes={"rows": len(records) + len(problems),
                                                         "items": sorted(source.mapping)},
                 actor_label="" if actor else "egov exchange source")
    return records, [p.as_json() for p in problems]
