import pytest

from egov.services.tests.factories import make_item, make_organization


@pytest.fixture
def organization(db):
    return make_organization()


@pytest.fixture
def item(organization):
    return make_item(organization)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
