"""The hall announces an issued licence after its transaction commits (``services.signals.licence_issued``),
and gives what its 双公示 needs (``selectors.licence_decided``)."""

import pytest

from egov.services.selectors import licence_decided
from egov.services.signals import licence_issued


@pytest.fixture
def heard():
    """The licence ids announced to a listener standing in for the composition root's."""
    ids = []

    def listener(*, sender, licence, **kwargs):
        ids.append(licence.pk)

    licence_issued.connect(listener, dispatch_uid="test_decided.heard")
    yield ids
    licence_issued.disconnect(dispatch_uid="test_decided.heard")


def test_an_issued_licence_is_announced_after_commit_with_its_holder(hall, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = hall.concluded()
        assert heard == []  # nothing before the commit
    licence = case.licence
    assert heard == [licence.pk]
    facts = licence_decided(licence_id=licence.pk)
    # The test item registers a company (设立登记): the holder is the company with the code assigned to it.
    assert facts["holder_kind"] == "legal" and facts["holder_code"] == licence.holder_uscc == "91320200MA0000015X"
    assert facts["holder_name"] == licence.holder_name and facts["number"] == licence.number
    assert facts["organization_id"] == hall.casework.bureau.pk and facts["decided_on"] == licence.issued_on


def test_a_denied_case_announces_nothing(hall, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hall.concluded(approve=False)
    assert heard == []
