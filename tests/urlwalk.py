"""Every URL pattern of a URLconf as (route, concrete path, view name), for the route tests.

Also runnable as a script (``python tests/urlwalk.py``): it prints, as one JSON object, the routes
and views of the site that ``EGOV_SITE`` selects, the views of the staff site, and the status codes
of a few probes. ``test_sites.py`` runs it in a fresh process per site because the settings (and so
the URLconf) are read once per process.
"""

import functools
import re
import uuid

from django.urls import URLPattern, URLResolver

# Dummy values for path converters (the admin's regex groups are filled in ``_fill_regex``).
CONVERTER_VALUES = {"int": "1", "str": "x", "slug": "x", "path": "x/1", "uuid": str(uuid.UUID(int=1))}


def view_name(callback) -> str:
    """``module.qualname`` of a view, through ``functools.partial`` (django-ninja) and ``as_view()``."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    callback = getattr(callback, "view_class", callback)
    qualname = getattr(callback, "__qualname__", type(callback).__qualname__)
    return f"{callback.__module__}.{qualname}"


def _fill_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_VALUES[m.group(1) or "str"], route)


def _fill_regex(regex: str) -> str:
    regex = regex.lstrip("^").rstrip("$")

    def group(match: re.Match) -> str:
        body = match.group(1)
        if re.fullmatch(r"[\w|]+", body):  # an alternation of names, e.g. the admin's app labels
            return body.split("|")[0]
        return "x"

    return re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, regex).replace("\\", "")


def walk(patterns, route: str = "", path: str = ""):
    """Yield ``(route, path, view name)`` for every pattern under ``patterns``."""
    for pattern in patterns:
        text = str(pattern.pattern)
        filled = _fill_route(text) if type(pattern.pattern).__name__ == "RoutePattern" else _fill_regex(text)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route + text, path + filled)
        elif isinstance(pattern, URLPattern):
            yield route + text, "/" + path + filled, view_name(pattern.callback)


def main() -> None:
    import json
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import get_resolver

    from egov import urls_staff

    served = list(walk(get_resolver().url_patterns))
    client = Client(raise_request_exception=False)
    probes = ["/staff/", "/staff/login/", "/admin/", "/admin/login/", "/accounts/register/person/",
              "/accounts/register/legal-person/", "/accounts/login/", "/api/openapi.json", "/api/v1/services/items",
              "/api/v1/staff/tasks"]
    print(json.dumps({
        "site": settings.EGOV_SITE,
        "routes": [route for route, _path, _view in served],
        "views": sorted({view for _route, _path, view in served}),
        "staff_views": sorted({view for _route, _path, view in walk(urls_staff.site_patterns)}),
        "status": {probe: client.get(probe).status_code for probe in probes},
    }))


if __name__ == "__main__":
    main()
