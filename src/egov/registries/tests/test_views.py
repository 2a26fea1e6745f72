"""The registers' staff pages over real HTTP requests (Django's test client): masked search, the
audited "show full values", the import report, and refusals by role."""

import pytest
from django.urls import reverse

from egov.audit.models import AuditEvent
from egov.orgs.roles import Role
from egov.registries.models import PopulationRecord
from egov.registries.tests.test_actions import POPULATION_CSV, run_import
from egov.registries.tests.test_validation import LIANGXI_MAN


@pytest.fixture
def steward(city, make_staff):
    return make_staff(city, [Role.DATA_STEWARD])


@pytest.fixture
def clerk(city, make_staff):
    return make_staff(city, [Role.CLERK])


def test_search_shows_masked_values_only(client, steward, clerk):
    run_import(steward, POPULATION_CSV)
    client.force_login(clerk)
    page = client.post(reverse("registries:search"), {"register": "population", "query": LIANGXI_MAN})
    text = page.content.decode()
    assert page.status_code == 200
    assert "3202**********1233" in text and "张*" in text
    # The identifier is only in the search box the clerk typed it into.
    assert text.count(LIANGXI_MAN) == 1 and f'value="{LIANGXI_MAN}"' in text
    pk = PopulationRecord.objects.get(id_number=LIANGXI_MAN).pk
    record = client.get(reverse("registries:record", args=["population", pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "张三" not in record.content.decode() and "Show full values" not in record.content.decode()
    assert client.post(reverse("registries:record_full", args=["population", pk])).status_code == 403


def test_show_full_values_is_audited(client, steward):
    run_import(steward, POPULATION_CSV)
    client.force_login(steward)
    pk = PopulationRecord.objects.get(id_number=LIANGXI_MAN).pk
    page = client.post(reverse("registries:record_full", args=["population", pk]),
                       HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "张三" in text and "1990-03-07" in text and LIANGXI_MAN in text
    assert AuditEvent.objects.filter(action="registries.population.read", actor_id=steward.pk).count() == 1


def test_the_import_page_reports_each_rejected_row(client, steward):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(steward)
    upload = SimpleUploadedFile("people.csv", POPULATION_CSV.encode("utf-8"), content_type="text/csv")
    page = client.post(reverse("registries:import"), {"register": "population", "file": upload})
    text = page.content.decode()
    assert page.status_code == 200
    assert "people.csv" in text
    for row in ("4", "6", "7", "8"):
        assert f'data-label="行">{row}</td>' in text or f">{row}</td>" in text


def test_an_unreadable_file_is_a_form_error(client, steward):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(steward)
    upload = SimpleUploadedFile("people.xlsx", b"PK\x03\x04 broken", content_type="application/octet-stream")
    page = client.post(reverse("registries:import"), {"register": "population", "file": upload})
    assert page.status_code == 400
    assert "govuk-error-summary" in page.content.decode()


def test_staff_without_a_register_role_are_refused(client, city, make_staff):
    client.force_login(make_staff(city, []))
    assert client.get(reverse("registries:search")).status_code == 403
    assert client.get(reverse("registries:import")).status_code == 403


def test_the_registered_capital_is_shown_with_its_unit(client, steward):
    """500万美元 is stored as 500 (万) USD: 500 万美元 in Chinese, 5,000,000 USD in English."""
    from egov.registries.models import LegalEntityRecord
    from egov.registries.tests.test_validation import ENTERPRISE

    run_import(steward, f"统一社会信用代码,名称,注册资本\n{ENTERPRISE},无锡示范科技有限公司,500万美元\n",
               register="legal_entity", name="entities.csv")
    client.force_login(steward)
    pk = LegalEntityRecord.objects.get(uscc=ENTERPRISE).pk
    url = reverse("registries:record", args=["legal_entity", pk])
    assert "500 万美元" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "5,000,000 USD" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
