"""Once-only applying (免提交, issue 15 item 6) on the demo city: the apply form shows the applicant's
register data, not editable, with its source; a material the platform holds is not asked for and is
fetched through the exchange with the 办件编号 as purpose; no grant falls back to the upload; the
clerk sees where each fact came from. Registers, exchange and service hall meet only through the
composition root (``egov.wiring``), which these tests exercise as deployed."""

import json
import re

import pytest

from egov.accounts.models import User
from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.demo import DEMO_ENTERPRISE, demo_load
from egov.exchange.actions import grant_revoke
from egov.exchange.models import LoggedMessage, SharingGrant
from egov.orgs.models import Organization
from egov.registries.models import LegalEntityRecord, PopulationRecord
from egov.services.actions.intake import intake_work
from egov.services.models import Application, ApplicationMaterial, Material, ServiceItem

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% egov once-only test\n%%EOF\n"
FOOD = "食品经营许可（新办）"
HELD = "营业执照或者其他主体资格证明文件"
MARKET = "无锡市市场监督管理局"


@pytest.fixture
def demo(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    demo_load()


def _food():
    item = ServiceItem.objects.get(name=FOOD)
    return item, item.materials.get(name=HELD)


def _enterprise(client) -> User:
    user = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    client.force_login(user)
    return user


def _form(item, held, *, tamper: dict | None = None) -> dict:
    data = {
        "idempotency_key": "once-only-test-0001",
        "applicant": "self",
        "form-business_name": "无锡示范科技有限公司",
        "form-uscc": DEMO_ENTERPRISE["uscc"],
        "form-premises": "无锡市梁溪区解放南路688号",
        "form-business_type": "catering",
        "form-food_safety_manager": "王建国",
        "form-contact_phone": "13912340000",
        "form-commitment": "on",
    }
    for material in item.materials.exclude(pk=held.pk):
        data[f"material-{material.pk}"] = _pdf(material)
    data.update(tamper or {})
    return data


def _pdf(material):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{material.pk}.pdf", PDF, content_type="application/pdf")


def test_the_form_shows_register_data_not_editable_and_a_material_not_asked_for(demo, client):
    _enterprise(client)
    item, held = _food()
    page = client.get(f"/services/{item.code}/apply/")
    html = page.content.decode()
    assert page.status_code == 200
    facts = html[html.index('class="govuk-!-margin-bottom-6 egov-register-facts"') :]
    facts = facts[: facts.index("</dl>")]
    # The demo register's row (fixtures/demo_registers/legal_entities.csv), as a summary list.
    for text in ("91320213MA1X2Y3W4U", "无锡示范科技有限公司", "有限责任公司", "王建国", "2018-04-16", "存续"):
        assert text in facts
    assert "<input" not in facts and "<textarea" not in facts  # shown, not editable
    assert "来源：无锡市市场监督管理局，法人单位基础信息" in html and "数据共享交换平台" in html
    # The 营业执照 is 免提交: no file input for it, the other materials still asked for.
    assert f'name="material-{held.pk}"' not in html
    assert "免提交" in html
    for material in item.materials.exclude(pk=held.pk):
        assert f'name="material-{material.pk}"' in html


def test_submission_stores_the_register_facts_and_fetches_the_held_material_with_the_case_number(demo, client):
    user = _enterprise(client)
    item, held = _food()
    entity = LegalEntityRecord.objects.get(uscc=DEMO_ENTERPRISE["uscc"])
    answer = client.post(
        f"/services/{item.code}/apply/",
        _form(item, held, tamper={"register-name": "假冒公司", "name": "假冒公司", "legal_representative": "李四"}),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(applicant=user)
    number = application.number
    register = application.once_only["register"]
    values = {row["field"]: row["value"] for row in register["items"]}
    # The register's values, whatever the POST said.
    assert values["name"] == "无锡示范科技有限公司" and values["legal_representative"] == "王建国"
    assert register["provider_name"] == MARKET and register["resource_code"] == "320200-SCJG-0001"
    fetched = application.once_only["materials"][str(held.pk)]
    assert {row["field"]: row["value"] for row in fetched["items"]}["uscc"] == DEMO_ENTERPRISE["uscc"]
    assert not ApplicationMaterial.objects.filter(application=application, material=held).exists()
    assert ApplicationMaterial.objects.filter(application=application).count() == item.materials.count() - 1
    # Logged by the exchange: the request carries the 办件编号 as purpose, the response answers it.
    response = LoggedMessage.objects.get(message_id=fetched["message_id"])
    request = LoggedMessage.objects.get(message_id=response.in_reply_to)
    assert (request.direction, request.kind, response.direction, response.kind) == ("out", "request", "in", "response")
    assert json.loads(bytes(request.body))["purpose"]["case"] == number
    assert response.status == 200 and request.service == "platform:legal_entity"
    # The read of the register row is audited on the row, for the consumer, with the 办件编号.
    reads = AuditEvent.objects.filter(
        action="registries.legal_entity.read", object_id=str(entity.pk), changes__purpose=number
    )
    assert reads.count() == 2  # the applicant's data and the held 营业执照
    assert {event.organization_id for event in reads} == {Organization.objects.get(name=MARKET).pk}
    # The enterprise sees those reads on its "who read my data" page, with the 办件编号.
    use = client.get("/accounts/me/data-use/").content.decode()
    rows = [row for row in use.split("<tr")[1:] if number in row]
    assert len(rows) == 2 and all(MARKET in row for row in rows)


def test_no_grant_the_form_says_so_and_asks_for_the_upload(demo, client, caplog):
    """个体工商户设立登记 (市场监管局) reads the population register under a demo grant: revoked, the
    citizen's data cannot be fetched, the 经营者身份证明 is asked for, and applying still works."""
    item = ServiceItem.objects.get(name="个体工商户设立登记")
    material = item.materials.get(name="经营者身份证明")
    citizen = User.objects.get(username=PopulationRecord.objects.get(name="张𠮷明").id_number)
    client.force_login(citizen)
    ready = client.get(f"/services/{item.code}/apply/").content.decode()
    assert "免提交" in ready and f'name="material-{material.pk}"' not in ready
    market = Organization.objects.get(name=MARKET)
    for grant in SharingGrant.objects.filter(consumer_code=market.uscc, resource__code="320200-GA-0001"):
        grant_revoke(actor=SYSTEM, grant=grant, reason="测试：撤销授权")
    with caplog.at_level("WARNING", logger="egov.services.once_only"):
        html = client.get(f"/services/{item.code}/apply/").content.decode()
    # The citizen is told plainly, once, that the part could not be filled in; the missing grant
    # (an internal matter between 市场监管局 and 公安局) is for the staff and the log only.
    assert html.count('id="register-unfetched"') == 1
    assert html.count("未能从基础信息库获取您的信息") == 1
    assert "共享授权" not in html and "sharing grant" not in html
    assert any("no sharing grant" in r.getMessage() or "共享授权" in r.getMessage() for r in caplog.records)
    assert f'name="material-{material.pk}"' in html
    assert f'id="id_material-{material.pk}-unfetched"' in html
    data = {
        "idempotency_key": "once-only-test-0002",
        "applicant": "self",
        "form-operator_name": "张𠮷明",
        "form-operator_id": citizen.username,
        "form-organization_form": "personal",
        "form-premises": "无锡市梁溪区中山路88号",
        "form-business_scope": "小吃服务",
        "form-contact_phone": "13800000000",
        "form-commitment": "on",
    }
    # Sent without it, the submission asks for it (the other materials given).
    refused = client.post(
        f"/services/{item.code}/apply/",
        {**data, **{f"material-{m.pk}": _pdf(m) for m in item.materials.exclude(pk=material.pk)}},
    )
    assert refused.status_code == 400 and f'id="id_material-{material.pk}-error"' in refused.content.decode()
    assert not Application.objects.filter(applicant=citizen).exists()
    data["idempotency_key"] = "once-only-test-0003"
    for m in item.materials.all():
        data[f"material-{m.pk}"] = _pdf(m)
    answer = client.post(f"/services/{item.code}/apply/", data)
    assert answer.status_code == 302
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(applicant=citizen)
    assert application.once_only["register"]["error"]
    assert ApplicationMaterial.objects.filter(application=application, material=material).exists()


def test_the_clerk_sees_where_each_fact_came_from(demo, client):
    user = _enterprise(client)
    item, held = _food()
    assert client.post(f"/services/{item.code}/apply/", _form(item, held)).status_code == 302
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(applicant=user)
    clerk = User.objects.get(username="scjgintake")
    client.force_login(clerk)
    html = client.get(f"/staff/cases/{application.number}/").content.decode()
    assert "申请人基础信息" in html or "基础信息库" in html
    message = application.once_only["materials"][str(held.pk)]["message_id"]
    assert message in html and application.once_only["register"]["message_id"] in html
    assert "无锡市市场监督管理局，法人单位基础信息（320200-SCJG-0001）" in html
    assert re.search(r"免提交", html)


def test_material_held_as_is_checked():
    from egov.core.errors import ValidationFailed
    from egov.services.actions.catalog import MaterialSpec, _check_material

    assert _check_material(MaterialSpec(name="营业执照", held_as="register:legal-entity"), 0).held_as
    with pytest.raises(ValidationFailed) as refused:
        _check_material(MaterialSpec(name="营业执照", held_as="register:somewhere"), 0)
    assert refused.value.extra == {"field": "materials.0.held_as", "rule": "choice"}
    assert Material._meta.get_field("held_as").blank


def test_the_smoke_step_imports_bad_rows_and_applies_with_register_data_and_a_held_material(demo, tmp_path):
    from egov.smoke_registries import step_registries_once_only

    result = step_registries_once_only(tmp_path)
    assert result["population"]["rejected_rows"] == [
        [5, "id_number", "check_character"],
        [6, "sex", "mismatch"],
        [7, "name", "placeholder"],
    ]
    assert result["legal_entities"]["imported"] == 2 and result["legal_entities"]["rejected"] == 2
    facts = result["application"]["register"]["facts"]
    assert facts["name"] == "无锡示范科技有限公司" and facts["legal_representative"] == "王建国"
    assert [m["material"] for m in result["application"]["held_materials"]] == [HELD]


RENEW = "食品经营许可（延续）"


def _food_licence(client, user):
    """The demo enterprise's 食品经营许可（新办）, applied for and run to 办结 by 市场监管局's window
    (``scjgintake``, ``scjgreviewer``, ``scjgapprover``): its 食品经营许可证, sealed by 市场监管局."""
    from egov.services.actions import processing
    from egov.services.models import Licence

    item, held = _food()
    assert client.post(f"/services/{item.code}/apply/", _form(item, held)).status_code == 302
    intake_work()  # 内网办理: the worker makes the case
    case = Application.objects.get(applicant=user, item=item)
    staff = {role: User.objects.get(username=f"scjg{role}") for role in ("intake", "reviewer", "approver")}
    processing.application_receive(actor=staff["intake"], application=case)
    processing.application_accept(actor=staff["intake"], application=case)
    processing.application_review(actor=staff["reviewer"], application=case)
    processing.application_decide(actor=staff["approver"], application=case, approve=True)
    processing.application_conclude(actor=staff["intake"], application=case)
    return Licence.objects.get(application=case)


def test_an_e_licence_the_hall_issued_is_not_asked_for_again_and_the_clerk_sees_its_source(demo, client):
    """食品经营许可（延续） needs the 食品经营许可证 being renewed: held as ``licence:<新办's code>``. Not
    holding one, the enterprise uploads it; once the hall issued it, it is 免提交 and fetched from
    电子证照信息 with the 办件编号 as purpose, and the clerk sees where it came from."""
    user = _enterprise(client)
    renew = ServiceItem.objects.get(name=RENEW)
    material = renew.materials.get(name="食品经营许可证")
    assert material.held_as == f"licence:{_food()[0].code}"
    before = client.get(f"/services/{renew.code}/apply/").content.decode()
    assert f'name="material-{material.pk}"' in before  # holds none yet: asked for the file
    assert f'id="id_material-{material.pk}-unfetched"' in before
    licence = _food_licence(client, user)
    assert licence.holder_uscc == DEMO_ENTERPRISE["uscc"] and licence.name == "食品经营许可证"
    html = client.get(f"/services/{renew.code}/apply/").content.decode()
    assert f'name="material-{material.pk}"' not in html and f'id="held-{material.pk}"' in html
    assert "无锡市行政审批局（电子证照信息）" in html
    data = {**_form(renew, material), "idempotency_key": "once-only-test-renew"}
    assert client.post(f"/services/{renew.code}/apply/", data).status_code == 302
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(applicant=user, item=renew)
    fetched = application.once_only["materials"][str(material.pk)]
    values = {row["field"]: row["value"] for row in fetched["items"]}
    assert values["licence_number"] == licence.number and values["holder_code"] == DEMO_ENTERPRISE["uscc"]
    assert fetched["resource_code"] == "320200-SP-0001"
    assert not ApplicationMaterial.objects.filter(application=application, material=material).exists()
    read = AuditEvent.objects.get(action="services.licence.read", changes__purpose=application.number)
    assert read.object_id == str(licence.pk)
    client.force_login(User.objects.get(username="scjgintake"))
    case = client.get(f"/staff/cases/{application.number}/").content.decode()
    assert "无锡市行政审批局，电子证照信息（320200-SP-0001）" in case
    assert licence.number in case and fetched["message_id"] in case


def test_the_registered_capital_is_shown_with_its_unit(demo, client):
    """The demo register states 1000万元 for the demo enterprise: stored as 1000 (万) CNY, shown as
    1000 万元 in Chinese and 10,000,000 CNY in English — not a bare 1000."""
    _enterprise(client)
    item, _held = _food()
    chinese = client.get(f"/services/{item.code}/apply/").content.decode()
    assert "1000 万元" in chinese and "注册资本币种" not in chinese
    english = client.get(f"/services/{item.code}/apply/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "10,000,000 CNY" in english


def test_a_field_the_register_fills_is_shown_as_text_and_the_server_stores_the_register_value(demo, client):
    """Tester's finding: 经营者名称 and 统一社会信用代码 were editable under "此处不可修改" and the
    edited values reached the clerk. They are the register's (``"register"`` in the form schema)."""
    user = _enterprise(client)
    item, held = _food()
    html = client.get(f"/services/{item.code}/apply/").content.decode()
    for name, value in (("business_name", "无锡示范科技有限公司"), ("uscc", DEMO_ENTERPRISE["uscc"])):
        assert f'name="form-{name}"' not in html  # not an input: shown as text
        assert re.search(rf'<p [^>]*id="id_form-{name}"[^>]*>{value}</p>', html)
    assert "来源：基础信息库（此处不可修改）" in html
    other = LegalEntityRecord.objects.exclude(uscc=DEMO_ENTERPRISE["uscc"]).first()
    answer = client.post(
        f"/services/{item.code}/apply/",
        _form(item, held, tamper={"form-business_name": other.name, "form-uscc": other.uscc}),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(applicant=user)
    assert application.form_data["business_name"] == "无锡示范科技有限公司"
    assert application.form_data["uscc"] == DEMO_ENTERPRISE["uscc"]
    assert application.form_data["premises"] == "无锡市梁溪区解放南路688号"  # the applicant's own field stays
    # The clerk's 申请表 says where each row came from.
    client.force_login(User.objects.get(username="scjgintake"))
    page = client.get(f"/staff/cases/{application.number}/").content.decode()
    rows = page[page.index('aria-labelledby="form-title"') :]
    rows = rows[: rows.index("</dl>")].split('<div class="govuk-summary-list__row">')[1:]
    by_title = {re.search(r"<dt[^>]*>(.*?)</dt>", row).group(1): row for row in rows}
    assert other.name not in page
    assert "无锡示范科技有限公司" in by_title["经营者名称"] and "来源：基础信息库" in by_title["经营者名称"]
    assert "来源：基础信息库" in by_title["统一社会信用代码"]
    assert "申请人填写" in by_title["经营场所"] and "基础信息库" not in by_title["经营场所"]


def test_an_api_client_cannot_store_another_company_in_a_register_field(demo):
    from egov.services.actions.applying import application_submit

    user = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    item, held = _food()
    other = LegalEntityRecord.objects.exclude(uscc=DEMO_ENTERPRISE["uscc"]).first()
    form = {
        "business_name": other.name,
        "uscc": other.uscc,
        "premises": "无锡市梁溪区解放南路688号",
        "business_type": "catering",
        "food_safety_manager": "王建国",
        "contact_phone": "13912340000",
        "commitment": True,
    }
    files = {m.pk: PDF for m in item.materials.exclude(pk=held.pk)}
    application, _created = application_submit(
        actor=user, item=item, form_data=form, files=files, idempotency_key="once-only-api-0001"
    )
    assert (application.form_data["business_name"], application.form_data["uscc"]) == (
        "无锡示范科技有限公司",
        DEMO_ENTERPRISE["uscc"],
    )


def test_who_read_my_data_names_the_prefill_by_the_item(demo, client):
    _enterprise(client)
    item, _held = _food()
    assert client.get(f"/services/{item.code}/apply/").status_code == 200
    use = client.get("/accounts/me/data-use/").content.decode()
    assert "预填申请表：食品经营许可（新办）" in use
    assert "预填:" not in use and f"预填:{item.code}" not in use


def test_the_demo_hrss_bureau_fills_in_its_forms_from_the_population_register(demo, client):
    """市人社局's items (社会保障卡申领) read the citizen's population register: the demo grants it, so
    the form shows the register data instead of "could not be fetched" (the tester, session 8)."""
    item = ServiceItem.objects.get(name="社会保障卡申领")
    assert item.organization.name == "无锡市人力资源和社会保障局"
    citizen = User.objects.get(username=PopulationRecord.objects.get(name="张𠮷明").id_number)
    client.force_login(citizen)
    html = client.get(f"/services/{item.code}/apply/").content.decode()
    assert 'id="register-unfetched"' not in html and 'id="register-title"' in html
    assert "张𠮷明" in html
