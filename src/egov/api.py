"""The JSON API: one ``NinjaAPI``, one router per app, OpenAPI 3 at ``/api/openapi.json``.

Routers for staff work are mounted under ``/api/v1/staff/`` and only when the staff site is
served (``EGOV_SITE`` ``staff`` or ``all``): a public deployment has no route to them.
Every ``ApplicationError`` becomes ``{"message": ..., "extra": {...}}`` with its 4xx status.

A JSON body is read only from a request that says it is JSON (``Content-Type: application/json``
or ``application/*+json``); anything else is 415. A browser sends such a request to another site
only after a CORS preflight, which this API never grants, so a cross-site page cannot post to the
session-less operations (registration) as a ``text/plain`` "simple request" (Fetch standard, "CORS
non-safelisted request-header"; OWASP CSRF Prevention Cheat Sheet). Operations with a session
check Django's CSRF token as well (``egov.core.apiauth.SessionAuth``: after the session, so that
nobody signed in is 401, not 403).

The OpenAPI document lists, for every operation, the 4xx answers it may give, in the error shape
(``ErrorAPI.get_openapi_schema``); a parameter or body field of the wrong type is a 422 in the same
shape, its message translated (``request_invalid``).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from egov.portal.api_letters import router as letters_router
from egov.portal.api_search import router as search_router
from egov.services.api import router as services_router
from egov.services.api_staff import router as intake_staff_router
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


# The error shape as an OpenAPI component (what every ``ErrorOut`` schema of the apps produces).
ERROR_COMPONENT = {
    "title": "ErrorOut",
    "description": "The one error shape of the API: a sentence for people and machine-readable details.",
    "type": "object",
    "properties": {
        "message": {"title": "Message", "type": "string"},
        "extra": {"title": "Extra", "type": "object", "additionalProperties": True},
    },
    "required": ["message", "extra"],
}

# The 4xx answers an operation may give, with when (docs/security.md "One input contract").
ERROR_ANSWERS = {
    400: "Invalid input: the body is not JSON, or a value breaks a rule (extra.field names the field, extra.rule "
    "the rule).",
    401: "Not signed in with the session this operation needs (extra.rule = authentication).",
    403: "Signed in but not allowed to do this, or the CSRF token (X-CSRFToken header matching the csrftoken "
    "cookie) is missing or wrong.",
    404: "Not found, or not visible to whoever asks.",
    409: "The object's state does not allow this (e.g. done already), or the idempotency key was used for "
    "another request.",
    413: "The request body is larger than the server accepts (extra.rule = max_request_size).",
    415: "The body is not sent as JSON (extra.field = Content-Type, extra.rule = media_type).",
    422: "A parameter or body field has the wrong type, is missing or is out of range (extra.field names it, "
    "e.g. query.page; extra.rule is the rule, e.g. int_parsing).",
    429: "Too many requests of this kind for now; retry after the Retry-After header's seconds "
    "(extra.rule = rate_limit).",
}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(operation: dict, method: str) -> set[int]:
    """The 4xx statuses one OpenAPI operation may answer, from what it takes and needs.

    Args:
        operation: the operation object of the OpenAPI document (``parameters``, ``requestBody``,
            ``security``).
        method: its HTTP method, lower case.

    Returns:
        400 and 422 when it takes parameters or a body (a value breaking a rule; ninja's type
        validation); 413 and 415 when it takes a body (``StrictJsonParser``); 401 and 403 when it
        needs a session (``security``: not signed in; not allowed or no CSRF token); 404 when it has
        path parameters; 409 and 429 for the writes (a state that refuses the move, an idempotency
        key reused; rate limits). Conservative: "may answer", not "will".
    """
    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    statuses = set()
    if parameters or body:
        statuses |= {400, 422}
    if body:
        statuses |= {413, 415}
    if operation.get("security"):
        statuses |= {401, 403}
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    if method in UNSAFE_METHODS:
        statuses |= {409, 429}
    return statuses


class ErrorAPI(NinjaAPI):
    """``NinjaAPI`` whose OpenAPI document lists every operation's error answers (issue 17 item 7).

    The routes declare their success answers (``response=``) and may declare some errors; adding
    the errors there would change ninja's default status of a route that declares a single
    non-200 answer, so they are added here, once, to the generated document: for each operation
    the statuses of ``error_statuses`` it does not declare yet, each with the ``ErrorOut``
    component. Declared answers are kept as they are.
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("ErrorOut", ERROR_COMPONENT)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in sorted(error_statuses(operation, method)):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": ERROR_ANSWERS[status], "content": error}
        return schema


api = ErrorAPI(
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
    return api.create_response(
        request, {"message": _("Sign in first."), "extra": {"rule": "authentication"}}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja wraps whatever the body parser raises in HttpError(400, "Cannot parse request body"):
    # the parser's own errors name the field and the rule (and keep their status, e.g. 415).
    if isinstance(exc.__cause__, ApplicationError):
        return application_error(request, exc.__cause__)
    return api.create_response(request, {"message": str(exc), "extra": {}}, status=exc.status_code)


# What a pydantic error type means, for people (the type itself is the rule in ``extra``).
VALIDATION_PROBLEMS = {
    "missing": gettext_lazy("this field is required"),
    "int_parsing": gettext_lazy("enter a whole number"),
    "int_type": gettext_lazy("enter a whole number"),
    "int_from_float": gettext_lazy("enter a whole number"),
    "float_parsing": gettext_lazy("enter a number"),
    "float_type": gettext_lazy("enter a number"),
    "decimal_parsing": gettext_lazy("enter a number"),
    "bool_parsing": gettext_lazy("enter true or false"),
    "bool_type": gettext_lazy("enter true or false"),
    "string_type": gettext_lazy("enter text"),
    "string_too_short": gettext_lazy("the text is too short"),
    "string_too_long": gettext_lazy("the text is too long"),
    "string_pattern_mismatch": gettext_lazy("the text is not in the expected form"),
    "greater_than": gettext_lazy("the number is too small"),
    "greater_than_equal": gettext_lazy("the number is too small"),
    "less_than": gettext_lazy("the number is too large"),
    "less_than_equal": gettext_lazy("the number is too large"),
    "literal_error": gettext_lazy("choose one of the allowed values"),
    "enum": gettext_lazy("choose one of the allowed values"),
    "date_parsing": gettext_lazy("enter a date as YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("enter a date as YYYY-MM-DD"),
    "datetime_parsing": gettext_lazy("enter a date and time in ISO 8601 form"),
    "list_type": gettext_lazy("send a list"),
    "dict_type": gettext_lazy("send an object"),
    "model_attributes_type": gettext_lazy("send an object"),
    "model_type": gettext_lazy("send an object"),
    "too_short": gettext_lazy("the list has too few entries"),
    "too_long": gettext_lazy("the list has too many entries"),
    "extra_forbidden": gettext_lazy("this field is not expected"),
}


@api.exception_handler(NinjaValidationError)
def request_invalid(request, exc: NinjaValidationError):
    """ninja's parameter and body validation (pydantic) as a 422 in the error shape.

    ``extra = {"field": "query.page", "rule": "int_parsing", "errors": [{"loc", "msg", "type"}, ...]}``:
    the first error names the field and the rule (pydantic's error type); the message is translated
    ("query.page: enter a whole number"); ``errors`` keeps every error with pydantic's English text.
    """
    first = exc.errors[0] if exc.errors else {}
    location = ".".join(str(part) for part in first.get("loc", ()))
    rule = first.get("type", "invalid")
    problem = VALIDATION_PROBLEMS.get(rule, gettext_lazy("the value is not valid"))
    return api.create_response(
        request,
        {
            "message": _("%(field)s: %(problem)s") % {"field": location, "problem": problem},
            "extra": {
                "field": location,
                "rule": rule,
                "errors": [
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                    for e in exc.errors
                ],
            },
        },
        status=422,
    )


# The public routers on the public site, the staff routers on the staff site; both on "all".
if settings.EGOV_SITE in ("public", "all"):
    api.add_router("/v1/accounts/", accounts_router)
    api.add_router("/v1/documents/", portal_router)
    api.add_router("/v1/letters/", letters_router)
    api.add_router("/v1/orgs/", orgs_router)
    api.add_router("/v1/", search_router)
    api.add_router("/v1/services/", services_router)
    api.add_router("/v1/trust/", trust_router)
if settings.EGOV_SITE in ("staff", "all"):
    api.add_router("/v1/staff/", staff_router)
    api.add_router("/v1/staff/exchange/", exchange_router)
    api.add_router("/v1/staff/credit/", credit_router)
    api.add_router("/v1/staff/intake/", intake_staff_router)
