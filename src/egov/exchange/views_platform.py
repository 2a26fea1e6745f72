"""The platform's side of what exchange nodes send it (``traffic_report``): thin views.

``POST /exchange/v1/platform/traffic`` with ``{"minutes": [...]}`` and the envelope in
``X-Egov-Envelope``: 200 ``{"stored": n}``; a malformed report 400, an envelope that does not check
out or a resource the node's organization does not provide 403 (nothing stored); errors answer
``{"message", "extra"}``.
"""

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from egov.core.errors import ApplicationError, ValidationFailed
from egov.exchange.actions.traffic import REPORT_ROWS_MAX, node_traffic_store
from egov.exchange.envelope import HEADER
from egov.exchange.traffic_report import report_envelope_check
from egov.exchange.views_node import tls_peer

# A report of REPORT_ROWS_MAX rows with full buckets is about 150 KB.
MAX_REPORT_BYTES = 1024 * 1024


@csrf_exempt
@require_POST
def traffic_report(request):
    """A node's report of the requests it answered (``actions.traffic.node_traffic_store``)."""
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REPORT_BYTES:
            raise ValidationFailed(_("A traffic report is a list of at most %(n)s minute rows.")
                                   % {"n": REPORT_ROWS_MAX}, extra={"rule": "size"})
        body = request.body
        envelope = report_envelope_check(token=request.headers.get(HEADER, ""), body=body,
                                         tls_peer_der=tls_peer(request))
        try:
            rows = json.loads(body)["minutes"]
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(_("A traffic report is a list of at most %(n)s minute rows.")
                                   % {"n": REPORT_ROWS_MAX}, extra={"field": "minutes", "rule": "shape"}) from None
        stored = node_traffic_store(node_code=envelope.claims["sender"], rows=rows)
    except ApplicationError as error:
        return JsonResponse(error.as_json(), status=error.status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"stored": stored})
