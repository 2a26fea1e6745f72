"""The API's OpenAPI schema covers every endpoint and lists each operation's 4xx answers, and
schemathesis, generating requests from that schema against the WSGI application, finds no server
error (5xx) and no status the schema does not document (issue 17 item 7)."""

import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import get_resolver
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from egov.api import api
from tests.urlwalk import walk

# Routes of the API that are not operations: the schema itself, its browsable page, and the index
# (ninja's default_home, which points at the docs).
NOT_OPERATIONS = {"/api/openapi.json", "/api/docs", "/api/"}


def _api_routes() -> set[str]:
    routes = set()
    for route, _path, _view in walk(get_resolver("egov.urls_all").url_patterns):
        if route.startswith("api/"):
            routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes - NOT_OPERATIONS


def test_every_api_route_is_in_the_schema():
    documented = set(api.get_openapi_schema()["paths"])
    routes = _api_routes()
    assert len(routes) >= 15
    assert routes - documented == set()
    for path in (
        "/api/v1/services/track/{number}",
        "/api/v1/staff/tasks",
        "/api/v1/staff/tasks/{task_id}/claim",
        "/api/v1/staff/tasks/{task_id}/complete",
        "/api/v1/services/applications/{number}/materials",
    ):
        assert path in documented, path


def test_a_route_left_out_of_the_schema_is_caught():
    """The coverage check itself: an operation hidden from the schema is a route the schema lacks."""
    from ninja import NinjaAPI

    hidden = NinjaAPI(urls_namespace="hidden-test")

    @hidden.get("/ping", include_in_schema=False)
    def ping(request):
        return {}

    @hidden.get("/pong")
    def pong(request):
        return {}

    routes = {"/" + r for r, _p, _v in walk(hidden.urls[0]) if r not in ("openapi.json", "docs", "")}
    assert routes - set(hidden.get_openapi_schema(path_prefix="/")["paths"]) == {"/ping"}


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


# The identities the whole schema is run as: nobody, a citizen (natural person) and a clerk of the
# organization that implements the catalogue's item (staff, no second factor required of the role).
IDENTITIES = ("anonymous", "citizen", "clerk")
# A fixed CSRF secret sent as cookie and header, so that the session-authenticated writes reach their
# handlers instead of stopping at the CSRF check (Django accepts the unmasked 32-character secret).
CSRF = "schemathesisschemathesisschemat1"


@pytest.fixture
def catalogue(city):
    """A published item, so that reads of the catalogue find something; the WSGI application keeps
    the test's database connection (as Django's test client does: requests do not close it)."""
    from egov.services.tests.factories import make_item, make_organization

    organization = make_organization(name="无锡市接口测试局")
    make_item(organization)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield organization
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _session_of(who: str, organization) -> dict:
    """The cookies (and CSRF header) of one identity's session, like the demo's people."""
    from django.test import Client

    from egov.accounts.actions import staff_user_create
    from egov.accounts.tests.factories import NaturalPersonFactory
    from egov.orgs.roles import Role

    if who == "anonymous":
        return {"cookies": {}, "headers": {}}
    if who == "citizen":
        user = NaturalPersonFactory().user
    else:
        user = staff_user_create(
            actor=None,
            username="schemathesis-clerk",
            name="接口测试员",
            password="接口测试-Kx7#vq2-Ld9!wz",
            organization=organization,
            roles=[Role.CLERK],
        )
    client = Client()
    client.force_login(user)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
        "headers": {"X-CSRFToken": CSRF},
    }


@pytest.fixture(params=IDENTITIES)
def identity(request, catalogue) -> dict:
    return _session_of(request.param, catalogue)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error_and_no_undocumented_status(case, identity):
    """Every operation, as anonymous, citizen and clerk: no 5xx, and every status the operation
    answers is one its schema lists (issue 17 item 7)."""
    response = case.call(cookies=identity["cookies"], headers=identity["headers"])
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])


def test_every_operation_lists_its_error_answers_in_the_error_shape():
    """Worked from each operation's inputs (egov.api.error_statuses): the catalogue list takes
    query parameters only (400, 422); an application's detail needs a session and has a path
    parameter (401, 403, 404, 400, 422); a session-only write with a body adds 409, 413, 415, 429;
    the organization list takes nothing and answers 200 only. Declared successes stay as declared
    (201 for a registration, not 200)."""
    paths = api.get_openapi_schema()["paths"]

    def statuses(path, method):
        return {int(status) for status in paths[path][method]["responses"]}

    assert statuses("/api/v1/orgs/organizations", "get") == {200}
    assert statuses("/api/v1/services/items", "get") == {200, 400, 422}
    assert statuses("/api/v1/services/applications/{number}", "get") == {200, 400, 401, 403, 404, 422}
    assert statuses("/api/v1/staff/credit/checks", "post") == {201, 400, 401, 403, 409, 413, 415, 422, 429}
    assert statuses("/api/v1/accounts/natural-persons", "post") == {201, 400, 409, 413, 415, 422, 429}
    added = paths["/api/v1/services/items"]["get"]["responses"][422]
    assert added["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    component = api.get_openapi_schema()["components"]["schemas"]["ErrorOut"]
    assert set(component["properties"]) == {"message", "extra"}


@pytest.mark.django_db
def test_an_undocumented_status_is_caught(catalogue, monkeypatch):
    """The conformance check itself: with no error answers added, the catalogue list's 422 for a
    page that is not a number is a status its schema does not list."""
    import schemathesis.openapi
    from schemathesis.core.failures import FailureGroup

    monkeypatch.setattr("egov.api.error_statuses", lambda operation, method: set())
    bare = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
    bare.app = get_wsgi_application()
    case = bare["/api/v1/services/items"]["GET"].Case(query={"page": "x"})
    response = case.call()
    assert response.status_code == 422
    with pytest.raises(FailureGroup):
        case.validate_response(response, checks=[status_code_conformance])


@pytest.mark.django_db
def test_anonymous_write_with_a_session_is_401_before_the_csrf_check(client, catalogue):
    """A tester saw anonymous ``POST /api/v1/staff/credit/checks`` answered 403 "CSRF check Failed":
    nobody signed in is 401 (RFC 9110 15.5.2); a signed-in clerk without the CSRF token is 403."""
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/api/v1/staff/credit/checks", {"subjects": []}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["extra"] == {"rule": "authentication"}
    clerk = Client(enforce_csrf_checks=True)
    clerk.cookies.load(_session_of("clerk", catalogue)["cookies"])
    response = clerk.post("/api/v1/staff/credit/checks", {"subjects": []}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_wrongly_typed_parameter_is_a_422_in_our_shape_and_translated(client, catalogue):
    """``page=abc`` is pydantic's ``int_parsing``: 422 naming ``query.page`` and the rule, the
    message in Chinese by default and in English when asked; a registration without an ID number
    is ``missing`` at ``body.payload.id_number``."""
    response = client.get("/api/v1/services/items", {"page": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["extra"]["field"] == "query.page" and body["extra"]["rule"] == "int_parsing"
    assert body["message"] == "query.page：请输入整数"
    english = client.get("/api/v1/services/items", {"page": "abc"}, headers={"Accept-Language": "en"})
    assert english.json()["message"] == "query.page: enter a whole number"
    missing = client.post("/api/v1/accounts/natural-persons", {"name": "李四"}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["message"] == "body.payload.id_number：此项必填"
    assert missing.json()["extra"]["rule"] == "missing"


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("citizen", 401), ("clerk", 200)])
def test_the_identities_reach_the_api_as_themselves(catalogue, who, status):
    """The cookies the schema run sends do sign in: the staff inbox answers the clerk only."""
    identity = _session_of(who, catalogue)
    case = schema["/api/v1/staff/tasks"]["GET"].Case()
    assert case.call(cookies=identity["cookies"], headers=identity["headers"]).status_code == status


def _integer_parameters() -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) of every integer query or path parameter in the schema."""
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema_ = parameter.get("schema", {})
                types = {schema_.get("type"), *(option.get("type") for option in schema_.get("anyOf", []))}
                if "integer" in types and parameter["in"] in ("query", "path"):
                    found.append((method.upper(), path, parameter["in"], parameter["name"]))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["citizen", "clerk"])
def test_integers_past_64_bits_in_any_query_or_path_parameter_are_a_4xx(client, catalogue, who):
    """Issue 17: integers past 64 bits in ``organization`` or ``page`` reached the database. Every
    integer parameter of the schema, sent 2⁶⁴, is answered 4xx (a list filtered by such an
    organization was a 200)."""
    parameters = _integer_parameters()
    assert {
        ("GET", "/api/v1/services/items", "query", "organization"),
        ("GET", "/api/v1/services/items", "query", "page"),
    } <= set(parameters)
    client.cookies.load(_session_of(who, catalogue)["cookies"])
    huge = str(2**64)
    for method, path, where, name in parameters:
        url = re.sub(r"\{\w+\}", "1", path.replace("{" + name + "}", huge))
        query = {name: huge} if where == "query" else {}
        response = (
            client.get(url, query)
            if method == "GET"
            else client.generic(method, url + ("?" + f"{name}={huge}" if query else ""), headers={"X-CSRFToken": CSRF})
        )
        assert 400 <= response.status_code < 500, (method, path, name, response.status_code)
