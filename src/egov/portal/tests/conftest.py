"""The documents tests' small city (Wuxi) and their media root, for the portal's pages."""

from egov.documents.tests.conftest import media_root, wuxi  # noqa: F401 - fixtures
