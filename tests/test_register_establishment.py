"""A 设立登记 approved by the service hall enters the new company into the 法人单位基础信息库 (issue 15):
the service hall sends ``licence_issued`` after commit, the composition root (``egov.wiring``) enters
the company with the code it was assigned and the licence as source, so that it is found by its
USCC afterwards — through the register and through the exchange's record source."""

import datetime
from decimal import Decimal

import pytest

from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import ValidationFailed
from egov.exchange.sources import record_source_read
from egov.registries.actions import legal_entity_enter
from egov.registries.models import LegalEntityRecord, RecordVersion
from egov.services.models import Licence
from egov.services.tests import conftest as hall_fixtures

# The service hall's fixtures: an organization with its seal and its item issuing a 营业执照.
casework, hall, media_root = hall_fixtures.casework, hall_fixtures.hall, hall_fixtures.media_root

# The first code the bureau of 320200 assigns (worked by hand in services' test_uscc_by_the_standards_algorithm).
NEW_USCC = "91320200MA0000015X"


def test_an_approved_establishment_enters_the_company_into_the_register(hall, django_capture_on_commit_callbacks):
    assert not LegalEntityRecord.objects.filter(uscc=NEW_USCC).exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = hall.concluded()
    licence = Licence.objects.get(application=case)
    row = LegalEntityRecord.objects.get(uscc=NEW_USCC)
    # The form of services' VALID_COMPANY: 无锡示范科技有限公司, llc (有限责任公司), 100 (万元).
    assert (row.name, row.entity_type, row.registered_capital, row.capital_currency) == (
        "无锡示范科技有限公司",
        "有限责任公司",
        Decimal("100.0000"),
        "CNY",
    )
    assert (row.established_on, row.division, row.status, row.version) == (
        licence.issued_on,
        "320200",
        LegalEntityRecord.Status.EXISTING,
        1,
    )
    assert row.source == f"{hall.casework.bureau.name} 营业执照 {licence.number}"
    assert row.created_label == "设立登记"
    entered = AuditEvent.objects.get(action="registries.legal_entity.enter")
    assert entered.object_id == str(row.pk) and entered.changes["source"] == row.source
    # found by its code afterwards, as an agency asking through the exchange finds it
    found = record_source_read(
        name="legal_entity",
        key=NEW_USCC,
        consumer_code="11320200MB0000102K",
        purpose={"case": "SP2026120500001", "basis": "《优化营商环境条例》第三十五条"},
    )
    assert (found["uscc"], found["name"], found["registered_capital"]) == (NEW_USCC, "无锡示范科技有限公司", "100.0000")


@pytest.mark.django_db
def test_entering_checks_the_row_as_an_import_does_and_twice_changes_nothing():
    cells = {
        "uscc": NEW_USCC,
        "name": "无锡新创软件有限公司",
        "registered_capital": "250",
        "established_on": "2026-12-04",
        "status": "存续",
    }
    first = legal_entity_enter(
        actor=SYSTEM, actor_label="设立登记", cells=cells, source="营业执照 1", today=datetime.date(2026, 12, 5)
    )
    again = legal_entity_enter(
        actor=SYSTEM, actor_label="设立登记", cells=cells, source="营业执照 1", today=datetime.date(2026, 12, 5)
    )
    assert first.pk == again.pk and again.version == 1 and not RecordVersion.objects.exists()
    assert AuditEvent.objects.filter(action="registries.legal_entity.enter").count() == 1
    # a wrong check character (the last of NEW_USCC is X): refused with the import's field and rule
    with pytest.raises(ValidationFailed) as refused:
        legal_entity_enter(
            actor=SYSTEM,
            cells={**cells, "uscc": NEW_USCC[:-1] + "Y"},
            source="营业执照 2",
            today=datetime.date(2026, 12, 5),
        )
    assert refused.value.extra == {"field": "uscc", "rule": "check_character"}


def test_a_listener_that_fails_is_logged_and_the_licence_stands(hall, django_capture_on_commit_callbacks, caplog):
    from egov.services.signals import licence_issued

    def broken(**kwargs):
        raise RuntimeError("register unavailable")

    licence_issued.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = hall.concluded()
    finally:
        licence_issued.disconnect(dispatch_uid="test.broken")
    licence = Licence.objects.get(application=case)
    assert any("register unavailable" in r.getMessage() and licence.number in r.getMessage() for r in caplog.records)
    assert LegalEntityRecord.objects.filter(uscc=NEW_USCC).exists()  # the other listener still ran
