"""The JSON API: one ``NinjaAPI``, one router per app, OpenAPI 3 at ``/api/openapi.json``.

Routers for staff work are mounted under ``/api/v1/staff/`` and only when the staff site is
served (``EGOV_SITE`` ``staff`` or ``all``): a public deployment has no route to them.
Every ``ApplicationError`` becomes ``{"message": ..., "extra": {...}}`` with its 4xx status.

A JSON body is read only from a request that says it is JSON (``Content-Type: application/json``
or ``application/*+json``); anything else is 415. A browser sends such a request to another site
only after a CORS preflight, which this API never grants, so a cross-site page cannot post to the
session-less operations (registration) as a ``text/plain`` "simple request" (Fetch standard, "CORS
non-safelisted request-header"; OWASP CSRF Prevention Cheat Sheet). Operations with a session
check Django's CSRF token as well (ninja's ``SessionAuth``).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from egov.accounts.api import router as accounts_router
from egov.casework.api import router as staff_router
from egov.core.errors import ApplicationError, UnsupportedMediaType
from egov.core.jsoninput import json_loads_strict
from egov.credit.api import router as credit_router
from egov.exchange.api import router as exchange_router
from egov.orgs.api import router as orgs_router
from egov.portal.api import router as portal_router
from egov.services.api import router as services_router
from egov.trust.api import router as trust_router


class StrictJsonParser(Parser):
    """The one body parser of the API (see the module's docstring).

    The request's media type must be JSON (``application/json`` or ``application/*+json``): a
    cross-site ``text/plain`` form post cannot reach a handler. The body is then read by
    ``egov.core.jsoninput.json_loads_strict``: NaN/Infinity, lone surrogates and integers past 64
    bits are a 400 naming the field, before any handler runs (so a refused submission takes no
    tracking number).

    Raises:
        UnsupportedMediaType: ``extra = {"field": "Content-Type", "rule": "media_type"}`` (415).
        ValidationFailed: from ``json_loads_strict`` (400).
    """

    def parse_body(self, request):
        media_type = (request.content_type or "").lower()
        if media_type != "application/json" and not (
            media_type.startswith("application/") and media_type.endswith("+json")
        ):
            raise UnsupportedMediaType(
                _("Send the request body as JSON, with the header Content-Type: application/json."),
                extra={"field": "Content-Type", "rule": "media_type", "given": media_type[:100]},
            )
        return json_loads_strict(request.body)


api = NinjaAPI(
    title="egov API",
    parser=StrictJsonParser(),
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    response = api.create_response(request, exc.as_json(), status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        {
            "message": _("The request is larger than %(n)d bytes.") % {"n": limit},
            "extra": {"rule": "max_request_size", "limit": limit},
        },
        status=413,
    )


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc: AuthenticationError):
    return api.create_response(request, {"message": "Sign in first.", "extra": {"rule": "authentication"}}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja wraps whatever the body parser raises in HttpError(400, "Cannot parse request body"):
    # the parser's own errors name the field and the rule (and keep their status, e.g. 415).
    if isinstance(exc.__cause__, ApplicationError):
        return application_error(request, exc.__cause__)
    return api.create_response(request, {"message": str(exc), "extra": {}}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def request_invalid(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = ".".join(str(part) for part in first.get("loc", ()))
    return api.create_response(
        request,
        {
            "message": f"{location}: {first.get('msg', 'invalid')}",
            "extra": {
                "field": location,
                "errors": [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors],
            },
        },
        status=422,
    )


# The public routers on the public site, the staff routers on the staff site; both on "all".
if settings.EGOV_SITE in ("public", "all"):
    api.add_router("/v1/accounts/", accounts_router)
    api.add_router("/v1/documents/", portal_router)
    api.add_router("/v1/orgs/", orgs_router)
    api.add_router("/v1/services/", services_router)
    api.add_router("/v1/trust/", trust_router)
if settings.EGOV_SITE in ("staff", "all"):
    api.add_router("/v1/staff/", staff_router)
    api.add_router("/v1/staff/exchange/", exchange_router)
    api.add_router("/v1/staff/credit/", credit_router)
