"""Discovery (X-Road's metaservices): what a node provides, what the caller may use, and each
service's OpenAPI 3.1 description. Asked like any service, signed and logged:
``meta.list``, ``meta.allowed`` and ``meta.openapi`` (query ``{"service": name}``)."""

from django.utils.translation import gettext as _

from egov.core.errors import NotFound, ValidationFailed
from egov.exchange.config import NodeConfig, ServiceSpec
from egov.exchange.models import InformationItem, InformationResource
from egov.exchange.selectors import grants_in_force

META_SERVICES = ("meta.list", "meta.allowed", "meta.openapi")

# 2017 指南 data types -> JSON Schema (the records carry text; the format says how to read it).
# B is 双精度型 (a number); G 通用型 holds binary content (a file), carried as base64.
_SCHEMA = {
    "C": {"type": "string"}, "M": {"type": "string"}, "N": {"type": "string", "format": "decimal"},
    "Y": {"type": "string", "format": "decimal"}, "D": {"type": "string", "format": "date"},
    "T": {"type": "string", "format": "date-time"}, "L": {"type": "string", "enum": ["true", "false"]},
    "G": {"type": "string", "contentEncoding": "base64"}, "B": {"type": "string", "format": "double"},
    "I": {"type": "string", "format": "integer"}, "F": {"type": "string", "format": "float"},
}


def _resource(spec: ServiceSpec) -> InformationResource | None:
    return InformationResource.objects.filter(code=spec.resource).first()


def discovery_answer(*, config: NodeConfig, service: str, consumer_code: str, query: dict) -> dict:
    """The answer of the metaservice ``service`` to ``consumer_code``.

    Returns:
        ``meta.list``: ``{"services": [{"name", "resource", "resource_name"}]}``;
        ``meta.allowed``: ``{"services": [{"name", "fields": [...]}]}`` (grants in force, never 不予共享 items);
        ``meta.openapi``: an OpenAPI 3.1 document for ``query["service"]``.

    Raises:
        ValidationFailed: ``meta.openapi`` without ``service``. NotFound: no such service.
    """
    if service == "meta.list":
        out = []
        for spec in config.services.values():
            resource = _resource(spec)
            out.append({"name": spec.name, "resource": spec.resource,
                        "resource_name": resource.name if resource else ""})
        return {"services": out}
    if service == "meta.allowed":
        out = []
        for spec in config.services.values():
            resource = _resource(spec)
            if resource is None:
                continue
            grants = list(grants_in_force(resource=resource, consumer_code=consumer_code))
            if grants:
                fields = sorted(set(InformationItem.objects.filter(grants__in=grants)
                                    .exclude(sharing_type=InformationItem.SharingType.NONE)
                                    .values_list("field", flat=True)))
                out.append({"name": spec.name, "fields": fields})
        return {"services": out}
    name = str(query.get("service", ""))
    if not name:
        raise ValidationFailed(_("Name the service to describe."), extra={"field": "service", "rule": "required"})
    spec = config.services.get(name)
    if spec is None:
        raise NotFound(_("This node provides no such service."), extra={"service": name})
    return _openapi(spec, _resource(spec))


def _openapi(spec: ServiceSpec, resource: InformationResource | None) -> dict:
    items = [] if resource is None else list(resource.items.exclude(sharing_type=InformationItem.SharingType.NONE))
    record = {"type": "object", "properties": {
        i.field: {**_SCHEMA.get(i.data_type, {"type": "string"}), "title": i.name,
                  "x-sharing-type": i.sharing_type} for i in items}}
    return {
        "openapi": "3.1.0",
        "info": {"title": resource.name if resource else spec.name, "version": "1",
                 "description": "Only the items granted to the caller come back (x-sharing-type per item)."},
        "paths": {f"/exchange/v1/services/{spec.name}": {"post": {
            "summary": resource.summary if resource else "",
            "parameters": [{"name": "X-Egov-Envelope", "in": "header", "required": True,
                            "schema": {"type": "string"}, "description": "JWS compact envelope (RFC 7515)"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": [spec.key], "properties": {spec.key: {"type": "string"}}}}}},
            "responses": {
                "200": {"description": "the record, granted items only", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "resource": {"type": "string"}, "record": record,
                        "granted": {"type": "array", "items": {"type": "string"}}}}}}},
                "403": {"description": "no grant in force, or the envelope does not check out"},
                "404": {"description": "no such record"},
            },
        }}},
    }
