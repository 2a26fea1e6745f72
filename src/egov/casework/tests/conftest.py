"""The workbench tests use the workflow tests' small city and the service hall's and documents' own
fixtures; imported here so that pytest finds them."""

from egov.documents.tests.conftest import draft, government_seal, media_root, wuxi  # noqa: F401
from egov.workflow.tests.conftest import applicant, city, english_messages, permit_definition  # noqa: F401
