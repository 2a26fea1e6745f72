import re
import uuid

from django.utils.log import log_response

from egov.core.clients import client_address
from egov.core.context import request_scope

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Bind the client address (``egov.core.clients.client_address``: through the trusted proxies)
    and a request id to the request for the audit log.

    A well-formed ``X-Request-ID`` from the load balancer is kept so that its logs and ours join;
    anything else is replaced. The id is echoed in the ``X-Request-ID`` response header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        with request_scope(client_ip=client_address(request), request_id=request_id):
            request.request_id = request_id
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django's handler logs a 4xx/5xx answer ("Not Found: /path") only after the
                # middleware has returned, out of this scope: logged here, the line carries the
                # request id (``log_response`` marks the response, so it is not logged twice).
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        response["X-Request-ID"] = request_id
        return response
