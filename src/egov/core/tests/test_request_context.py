"""The request id (``core.middleware.RequestContextMiddleware``) is on every log line a request
causes, Django's own "Not Found: …"/"Bad Request: …" lines included, so that logs, proxies and the
audit log join on it (docs/operations.md "Monitoring")."""

import logging

import pytest

from egov.core.context import current


class _Seen(logging.Handler):
    """Keeps (logger, request id bound when the line was written) for each line."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[str, str]] = []

    def emit(self, record):
        self.lines.append((record.name, current().request_id))


@pytest.mark.django_db
def test_djangos_line_for_a_4xx_response_carries_the_request_id(client):
    """A view that answers 404 (not raised) was logged by Django's handler after the middleware had
    left the request's scope: its line had an empty ``request_id``."""
    seen = _Seen()
    logger = logging.getLogger("django.request")
    logger.addHandler(seen)
    try:
        response = client.get("/services/track/", {"number": "320200001-20260101-0000012", "code": "2222-2222"},
                              HTTP_X_REQUEST_ID="fix8-test-0001")
    finally:
        logger.removeHandler(seen)
    assert response.status_code == 404 and response["X-Request-ID"] == "fix8-test-0001"
    assert seen.lines == [("django.request", "fix8-test-0001")]  # logged once, with the id
