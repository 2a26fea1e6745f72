"""The HTTP face of an exchange node: thin views over ``egov.exchange.node``.

Peers (mutual TLS): ``POST /exchange/v1/services/<service>`` with the envelope in
``X-Egov-Envelope``. The organization's own systems (the local listener on loopback):
``POST /exchange/v1/outbound/<receiver>/<service>`` with ``{"purpose": {"case", "basis"}, "query": {…}}``.
Errors answer ``{"message", "extra"}``.
"""

import json

import httpx
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.exchange.envelope import HEADER
from egov.exchange.errors import MessageTooLarge
from egov.exchange.node import node_runtime
from egov.exchange.records import csv_lookup


def _error(error: ApplicationError) -> JsonResponse:
    return JsonResponse(error.as_json(), status=error.status, json_dumps_params={"ensure_ascii": False})


def tls_peer(request) -> bytes | None:
    """The TLS client certificate (DER bytes) gunicorn's socket holds for ``request``, or ``None``."""
    sock = request.META.get("gunicorn.socket")
    getpeercert = getattr(sock, "getpeercert", None)
    return getpeercert(binary_form=True) if getpeercert else None


@csrf_exempt
@require_POST
def service(request, service: str):
    """A peer's signed request for ``service``."""
    node = node_runtime()
    token = request.headers.get(HEADER, "")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    body = b""
    try:
        if length > node.config.max_message_bytes:
            raise MessageTooLarge(_("The message is larger than this node accepts."),
                                  extra={"rule": "size", "limit_bytes": node.config.max_message_bytes})
        body = request.body
        status, answer, reply_token, content_type = node.receive(service=service, token=token, body=body,
                                                   tls_peer_der=tls_peer(request))
    except ApplicationError as error:
        node.refusal_log(service=service, token=token, body=body, error=error)
        return _error(error)
    response = HttpResponse(answer, status=status, content_type=content_type)
    response[HEADER] = reply_token
    return response


@csrf_exempt
@require_POST
def outbound(request, receiver: str, service: str):
    """One of our systems asks a peer: the node signs, sends, checks and logs."""
    node = node_runtime()
    try:
        try:
            data = json.loads(request.body)
            purpose, query = data["purpose"], data["query"]
            if not isinstance(purpose, dict) or not isinstance(query, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(_('Send {"purpose": {"case", "basis"}, "query": {…}}.'),
                                   extra={"rule": "shape"}) from None
        reply = node.send(receiver=receiver, service=service, query=query, purpose=purpose)
    except ApplicationError as error:
        return _error(error)
    except httpx.HTTPError as exc:
        return JsonResponse({"message": _("The peer's node cannot be reached."), "extra": {"reason": str(exc)[:200]}},
                            status=502, json_dumps_params={"ensure_ascii": False})
    if reply.signed:  # JSON or CSV whose digest the envelope signs: handed on as received, not parsed and written again
        return HttpResponse(reply.content, status=reply.status, content_type=reply.content_type)
    return JsonResponse(reply.body, status=reply.status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def changes(request, resource: str):
    """One of our systems pushes changes of one of our resources: ``{"changes": [{"op", "key",
    "row"}]}``, oldest first; answers ``{"events": [{"id", "seq"}]}`` (201). The dispatcher delivers them."""
    from egov.exchange.actions.subscriptions import changes_publish
    from egov.exchange.models import InformationResource

    try:
        try:
            data = json.loads(request.body)
            items = data["changes"]
            if not isinstance(items, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(_('Send {"changes": [{"op", "key", "row"}, …]}.'),
                                   extra={"rule": "shape"}) from None
        found = InformationResource.objects.filter(code=resource, provider_code=node_runtime().config.org).first()
        if found is None:
            raise NotFound(_("This node provides no such resource."), extra={"resource": resource})
        events = changes_publish(resource=found, changes=items, origin="push")
    except ApplicationError as error:
        return _error(error)
    return JsonResponse({"events": [{"id": e.event_id, "seq": e.seq} for e in events]}, status=201)


# --- the benchmark's baseline (plain_baseline): the same processes, connections and lookup, with no
# envelope, no certificate or grant check and no log: what the signed exchange is compared with.

@csrf_exempt
@require_POST
def plain_outbound(request, receiver: str, service: str):
    node = node_runtime()
    peer = node.config.peers[receiver]
    query = json.loads(request.body)["query"]
    answer = node.http.post(f"{peer.url}/bench/plain/services/{service}", json=query,
                            extensions={"sni_hostname": peer.host})
    return HttpResponse(answer.content, status=answer.status_code, content_type="application/json")


@csrf_exempt
@require_POST
def plain_service(request, service: str):
    node = node_runtime()
    spec = node.config.services[service]
    record = csv_lookup(path=spec.csv, key=spec.key, value=str(json.loads(request.body)[spec.key]))
    return JsonResponse({"resource": spec.resource, "record": record}, json_dumps_params={"ensure_ascii": False})
