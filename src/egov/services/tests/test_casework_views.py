"""Public applying pages and staff casework pages (Django's test client, real PostgreSQL)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from egov.audit.models import AuditEvent
from egov.facilities.files import sha256_hex
from egov.facilities.models import StoredFile
from egov.services.actions import processing
from egov.services.actions.intake import intake_work
from egov.services.models import Application, IntakeRecord
from egov.services.selectors import NextActor, application_next_actors
from egov.services.tests.factories import PDF, submit
from egov.workflow.actions import task_claim
from egov.workflow.models import WorkTask


def _apply_post(item, **overrides):
    data = {"idempotency_key": "page-key-000001", "applicant": "self", "form-company_name": "无锡示范科技有限公司",
            "form-company_type": "llc", "form-registered_capital": "100", "form-shareholders": "2",
            "form-contact_phone": "13800000000", "form-commitment": "true"}
    data.update(overrides)
    return data


def _upload(material, content=PDF, name="a.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {f"material-{material.pk}": SimpleUploadedFile(name, content, content_type="application/pdf")}


def test_the_guide_links_to_applying_and_applying_needs_sign_in(client, casework):
    item = casework.item
    assert f'href="/services/{item.code}/apply/"' in client.get(f"/services/{item.code}/").content.decode()
    response = client.get(f"/services/{item.code}/apply/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_apply_page_renders_the_form_the_inputs_and_a_hidden_key(client, casework):
    client.force_login(casework.citizen)
    html = client.get(f"/services/{casework.item.code}/apply/").content.decode()
    assert '<html lang="zh-hans" ' in html and 'name="idempotency_key"' in html
    assert 'id="id_form-company_name"' in html
    for material in casework.item.materials.all():
        assert f'name="material-{material.pk}"' in html


def test_a_double_submit_makes_one_application(client, casework):
    client.force_login(casework.citizen)
    material = casework.item.materials.get(required=True)
    url = f"/services/{casework.item.code}/apply/"
    first = client.post(url, {**_apply_post(casework.item), **_upload(material)})
    second = client.post(url, {**_apply_post(casework.item), **_upload(material)})
    record = IntakeRecord.objects.get()
    assert first["Location"] == second["Location"] == f"/services/receipts/{record.receipt}/"
    assert record.receipt in client.get(first["Location"]).content.decode()
    assert intake_work() == 1
    third = client.post(url, {**_apply_post(casework.item), **_upload(material)})
    assert third["Location"] == first["Location"]
    application = Application.objects.get()
    assert application.number in client.get(first["Location"]).content.decode()


def test_field_and_file_errors_are_shown_next_to_their_field(client, casework):
    client.force_login(casework.citizen)
    url = f"/services/{casework.item.code}/apply/"
    response = client.post(url, _apply_post(casework.item, **{"form-shareholders": "0"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_form-shareholders-error"' in html and 'aria-invalid="true"' in html
    # The error summary at the top of the page links to the field.
    assert '<a href="#id_form-shareholders">股东人数：' in html
    required = casework.item.materials.get(required=True)
    bad = b"GIF89a not accepted"
    response = client.post(url, {**_apply_post(casework.item), **_upload(required, bad, "x.gif")})
    html = response.content.decode()
    assert response.status_code == 400 and f'id="id_material-{required.pk}-error"' in html
    assert f'<a href="#id_material-{required.pk}">{required.name}：' in html
    assert "PDF" in html  # the accepted types are named
    assert not StoredFile.objects.filter(sha256=sha256_hex(bad)).exists()
    assert Application.objects.count() == 0


def test_field_and_file_errors_come_in_one_round_and_good_files_are_kept(client, casework):
    client.force_login(casework.citizen)
    url = f"/services/{casework.item.code}/apply/"
    required = casework.item.materials.get(required=True)
    optional = casework.item.materials.get(required=False)  # PDF only, at most 1024 bytes
    # Round 1: a wrong field, a good required file, a refused optional file: all said at once.
    response = client.post(url, {**_apply_post(casework.item, **{"form-shareholders": "0"}),
                                 **_upload(required, PDF, "营业执照.pdf"), **_upload(optional, b"GIF89a x", "x.gif")})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_form-shareholders-error"' in html and f'id="id_material-{optional.pk}-error"' in html
    assert f'id="id_material-{required.pk}-error"' not in html
    token = re.search(rf'<input type="hidden" name="kept-material-{required.pk}" value="([^"]+)">', html).group(1)
    assert "营业执照.pdf" in html and f'name="kept-material-{optional.pk}"' not in html
    # Round 2: only the field is corrected; the required file is not chosen again.
    response = client.post(url, {**_apply_post(casework.item), f"kept-material-{required.pk}": token,
                                 f"kept-name-{required.pk}": "营业执照.pdf"})
    assert response.status_code == 302 and response["Location"].startswith("/services/receipts/SL")
    intake_work()
    application = Application.objects.get()
    assert [(row.material_id, row.file.sha256) for row in application.materials.all()] == [(required.pk,
                                                                                          sha256_hex(PDF))]


def test_a_kept_file_needs_the_token_this_page_gave_this_applicant(client, casework):
    # The hash of a file someone else uploaded does not attach that file (it would expose it), nor
    # does a token given to someone else; a token given to this applicant does, even when the same
    # bytes were first stored by someone else (a blank form many people fill in).
    required = casework.item.materials.get(required=True)
    shared = PDF + b"% a blank form everyone downloads"
    other = submit(casework.item, casework.stranger, files={required.pk: shared})
    url = f"/services/{casework.item.code}/apply/"
    client.force_login(casework.stranger)
    stranger_page = client.post(url, {**_apply_post(casework.item, **{"form-shareholders": "0"}),
                                      **_upload(required, shared, "blank.pdf")}).content.decode()
    stranger_token = re.search(rf'name="kept-material-{required.pk}" value="([^"]+)"', stranger_page).group(1)
    client.force_login(casework.citizen)
    for forged in (other.materials.get().file.sha256, stranger_token):
        response = client.post(url, {**_apply_post(casework.item), f"kept-material-{required.pk}": forged})
        assert response.status_code == 400 and f'id="id_material-{required.pk}-error"' in response.content.decode()
    assert Application.objects.filter(applicant=casework.citizen).count() == 0
    own_page = client.post(url, {**_apply_post(casework.item, **{"form-shareholders": "0"}),
                                 **_upload(required, shared, "blank.pdf")}).content.decode()
    own_token = re.search(rf'name="kept-material-{required.pk}" value="([^"]+)"', own_page).group(1)
    response = client.post(url, {**_apply_post(casework.item), f"kept-material-{required.pk}": own_token})
    assert response.status_code == 302
    intake_work()
    assert Application.objects.get(applicant=casework.citizen).materials.get().file.sha256 == sha256_hex(shared)


def test_the_applicant_chosen_stays_chosen_after_a_refused_round(client, casework):
    from egov.accounts.actions import agent_appoint
    from egov.accounts.models import NaturalPerson
    from egov.accounts.tests.factories import LegalPersonFactory

    company = LegalPersonFactory()
    agent_appoint(actor=company.user, legal_person=company, person=NaturalPerson.objects.get(user=casework.citizen))
    casework.item.applicant_kinds = ["natural", "legal"]
    casework.item.save(update_fields=["applicant_kinds"])
    client.force_login(casework.citizen)
    response = client.post(f"/services/{casework.item.code}/apply/",
                           _apply_post(casework.item, applicant=str(company.pk), **{"form-shareholders": "0"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<option value="{company.pk}" selected>' in html and '<option value="self">' in html


def test_another_applicant_gets_404_for_the_case_pages(client, casework):
    application = submit(casework.item, casework.citizen)
    client.force_login(casework.stranger)
    for path in (f"/services/applications/{application.number}/",
                 f"/services/applications/{application.number}/submitted/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/services/applications/{application.number}/withdraw/", {"reason": "x"}).status_code == 404
    client.force_login(casework.citizen)
    html = client.get("/services/applications/").content.decode()
    assert application.number in html
    assert client.get(f"/services/applications/{application.number}/").status_code == 200


def test_the_applicant_withdraws_from_the_case_page(client, casework):
    application = submit(casework.item, casework.citizen)
    client.force_login(casework.citizen)
    url = f"/services/applications/{application.number}/withdraw/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason-error"' in response.content.decode()
    assert client.post(url, {"reason": "不再需要"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_workbench_lists_cases_with_badges_and_searches(client, casework):
    """The old case list (/staff/cases/) is the staff inbox's cases now, search included."""
    application = submit(casework.item, casework.citizen)
    client.force_login(casework.staff["clerk"])
    response = client.get("/staff/cases/", follow=True)
    assert response.redirect_chain == [("/staff/inbox/?kind=case", 302)]
    html = response.content.decode()
    assert f'href="/staff/cases/{application.number}/"' in html and "govuk-tag" in html
    found = client.get("/staff/cases/", {"q": application.number}, follow=True).content.decode()
    # the search result, and the inbox row's title and step (both lead to the case page)
    assert found.count(f'href="/staff/cases/{application.number}/"') == 3
    by_name = client.get("/staff/cases/", {"q": casework.citizen.name}, follow=True).content.decode()
    assert by_name.count(f'href="/staff/cases/{application.number}/"') == 3
    assert AuditEvent.objects.filter(action="services.application.search",
                                     actor_id=casework.staff["clerk"].pk).exists()
    # A number with one digit mistyped is named as a typing error, not searched as a name.
    typo = application.number[:-2] + str((int(application.number[-2]) + 1) % 10) + application.number[-1]
    mistyped = client.get("/staff/cases/", {"q": typo}, follow=True).content.decode()
    assert ('<p class="govuk-error-message" id="id_q_error"><span class="govuk-visually-hidden">错误：</span> '
            '办件编号有误（校验码不符）。</p>') in mistyped
    client.force_login(casework.staff["other_clerk"])
    other = client.get("/staff/cases/", {"q": application.number}, follow=True).content.decode()
    assert f'href="/staff/cases/{application.number}/"' not in other


def test_staff_of_another_organization_get_404_for_the_case(client, casework):
    application = submit(casework.item, casework.citizen)
    row = application.materials.get()
    client.force_login(casework.staff["other_clerk"])
    assert client.get(f"/staff/cases/{application.number}/").status_code == 404
    assert client.get(f"/staff/cases/{application.number}/materials/{row.pk}/").status_code == 404
    assert client.post(f"/staff/cases/{application.number}/steps/receive/").status_code == 404


def test_case_page_and_downloads_are_audited_reads(client, casework):
    application = submit(casework.item, casework.citizen)
    row = application.materials.get()
    client.force_login(casework.staff["clerk"])
    html = client.get(f"/staff/cases/{application.number}/").content.decode()
    assert "无锡示范科技有限公司" in html and f'/materials/{row.pk}/' in html
    # the choice's label, not its code "llc"
    assert ('<dt class="govuk-summary-list__key">公司类型</dt><dd class="govuk-summary-list__value">有限责任公司'
            '<div class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">申请人填写</div></dd>' in html)
    assert f'action="/staff/cases/{application.number}/steps/receive/"' in html
    download = client.get(f"/staff/cases/{application.number}/materials/{row.pk}/")
    assert download.status_code == 200 and download.content == PDF and download["Content-Type"] == "application/pdf"
    reads = AuditEvent.objects.filter(action="services.application.read", object_id=str(application.pk))
    assert sorted(reads.values_list("changes__what", flat=True)) == ["case page", "material file"]


def test_a_step_page_error_is_shown_on_its_form(client, casework):
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    client.force_login(casework.staff["clerk"])
    response = client.post(f"/staff/cases/{application.number}/steps/refuse/", {"refuse-reasons": ""})
    assert response.status_code == 400
    client.force_login(casework.staff["approver"])
    response = client.post(reverse("services_staff:step", args=[application.number, "decide"]),
                           {"decide-approve": "1"})
    # The approver has not passed MFA in this session: sent to sign in.
    assert response.status_code == 302


@pytest.mark.parametrize("step", ["receive", "accept"])
def test_steps_over_the_page_move_the_case(client, casework, step):
    application = submit(casework.item, casework.citizen)
    client.force_login(casework.staff["clerk"])
    client.post(f"/staff/cases/{application.number}/steps/receive/")
    if step == "accept":
        client.post(f"/staff/cases/{application.number}/steps/accept/", {"accept-opinion": "齐全"})
    application.refresh_from_db()
    assert application.status == {"receive": "received", "accept": "accepted"}[step]


def test_a_refused_step_says_why_even_when_its_form_is_gone(client, casework):
    """Found by a tester: accepting from a stale page after the case was refused gave a 409 page
    without any message, because the page shows only the steps possible now."""
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    processing.application_refuse(actor=casework.staff["clerk"], application=application, reasons="材料不齐全")
    client.force_login(casework.staff["clerk"])
    response = client.post(f"/staff/cases/{application.number}/steps/accept/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    notice = re.search(r'<p class="govuk-notification-banner__heading error">([^<]+)</p>', response.content.decode())
    expected = "The case is Not accepted; “Application accepted” is not possible at this stage."
    assert notice and notice.group(1) == expected


def test_a_missing_page_is_the_sites_own_page_in_the_sites_language(client, casework):
    client.force_login(casework.staff["clerk"])
    response = client.get("/staff/cases/320200002-20261130-0000029/")
    html = response.content.decode()
    assert response.status_code == 404 and '<html lang="zh-hans" ' in html and ">页面不存在</h1>" in html
    assert 'href="/"' in html and "Not Found" not in html
    unknown = client.get("/no-such-page/").content.decode()
    assert ">页面不存在</h1>" in unknown and "Resolver404" not in unknown


PREFILL_FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "申请人姓名"}, "id_number": {"type": "string", "title": "公民身份号码"},
        "uscc": {"type": "string", "title": "统一社会信用代码"},
        "enterprise_name": {"type": "string", "title": "单位名称"},
        "legal_representative": {"type": "string", "title": "法定代表人"},
        "contact_phone": {"type": "string", "title": "联系电话"}, "reason": {"type": "string", "title": "申请理由"},
    },
}


def _value(html: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*id="id_form-{field}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else None


def test_the_apply_form_starts_with_the_applicants_own_data(client, casework):
    """Found by a tester: the apply form did not pre-fill the applicant's name, ID and phone. A
    natural person gets its name, ID number and phone; as 经办人 of an enterprise, the enterprise's
    USCC, name and legal representative with the agent's own phone; nothing else is guessed."""
    from egov.accounts.actions import legal_person_register, natural_person_register
    from egov.accounts.tests.factories import make_verified
    from egov.services.tests.factories import CODE_A, make_item

    item = make_item(casework.bureau, code=CODE_A[:20] + "0000102" + "000" + "00", name="测试事项",
                     applicant_kinds=["natural", "legal"], form_schema=PREFILL_FORM)
    person = natural_person_register(id_number="11010519491231002X", name="李四", password="prefill-test-2026",
                                     phone="13912345678")
    legal_person_register(uscc="91320213MA1X2Y3W4U", name="无锡示范科技有限公司", legal_representative="王建国",
                          password="prefill-test-2026", agent=person)
    client.force_login(make_verified(person.user))
    html = client.get(f"/services/{item.code}/apply/").content.decode()
    assert (_value(html, "name"), _value(html, "id_number"), _value(html, "contact_phone")) == (
        "李四", "11010519491231002X", "13912345678")
    assert _value(html, "uscc") is None and _value(html, "reason") is None
    enterprise = person.agencies.get().legal_person
    html = client.get(f"/services/{item.code}/apply/?applicant={enterprise.pk}").content.decode()
    assert (_value(html, "uscc"), _value(html, "enterprise_name"), _value(html, "legal_representative"),
            _value(html, "contact_phone")) == ("91320213MA1X2Y3W4U", "无锡示范科技有限公司", "王建国", "13912345678")
    assert _value(html, "id_number") is None
    assert f'<option value="{enterprise.pk}" selected>' in html


def test_the_enterprises_phone_is_pre_filled_and_its_cases_are_marked_in_my_applications(client, casework):
    """Found by a tester: the enterprise's phone was not pre-filled (its account's phone was never
    used), and the agent saw the enterprise's cases in 我的办件 mixed with his own without a word."""
    from egov.accounts.actions import legal_person_register, natural_person_register
    from egov.accounts.tests.factories import make_verified
    from egov.services.tests.factories import CODE_A, make_item

    item = make_item(casework.bureau, code=CODE_A[:20] + "0000102" + "000" + "00", name="测试事项",
                     applicant_kinds=["natural", "legal"], form_schema=PREFILL_FORM)
    person = natural_person_register(id_number="11010519491231002X", name="李四", password="prefill-test-2026",
                                     phone="13912345678")
    enterprise = legal_person_register(uscc="91320213MA1X2Y3W4U", name="无锡示范科技有限公司",
                                       legal_representative="王建国", password="prefill-test-2026", agent=person,
                                       phone="13700001111")
    make_verified(person.user)
    client.force_login(make_verified(enterprise.user))  # the enterprise signed in with its own code
    html = client.get(f"/services/{item.code}/apply/").content.decode()
    assert (_value(html, "uscc"), _value(html, "contact_phone")) == ("91320213MA1X2Y3W4U", "13700001111")
    client.force_login(person.user)  # its agent, applying for it
    html = client.get(f"/services/{item.code}/apply/?applicant={enterprise.pk}").content.decode()
    assert _value(html, "contact_phone") == "13700001111"

    own = submit(casework.item, person.user, key="own-case")
    theirs = submit(casework.item, person.user, key="enterprise-case", legal_person=enterprise)
    html = client.get("/services/applications/").content.decode()
    rows = {number: row for number, row in re.findall(r'>(\d{9}-\d{8}-\d{6}[0-9X])</a>(.*?)</tr>', html, re.S)}
    assert "代 无锡示范科技有限公司 办理" in rows[theirs.number]
    assert "代 " not in rows[own.number]
    assert "无锡示范科技有限公司" in html.split("<table")[0]


def test_the_case_page_stops_saying_待补正_once_the_supplement_arrived(client, casework):
    """Found by a tester: the staff case page kept saying 待补正 after the supplement was received."""
    from egov.services.actions import application_supplement_upload

    clerk = casework.staff["clerk"]
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=clerk, application=case)
    material = casework.item.materials.get(required=True)
    processing.application_supplement_request(actor=clerk, application=case, materials=[material], note="缺少签字页")
    client.force_login(clerk)
    url = f"/staff/cases/{case.number}/"
    assert "待补正：公司登记（备案）申请书 — 缺少签字页" in client.get(url).content.decode()
    application_supplement_upload(actor=casework.citizen, application=case, files={material.pk: PDF})
    processing.application_supplement_receive(actor=clerk, application=case)
    html = client.get(url).content.decode()
    assert "待补正" not in html
    assert "已补正：公司登记（备案）申请书 — 缺少签字页" in html
def test_after_each_step_the_page_names_the_next_actor(client, casework):
    """下一步: the role of the open step and the person who claimed it or, while nobody has, the one
    person who may take it (this bureau has one clerk and one reviewer); else the organization."""
    application = submit(casework.item, casework.citizen)
    client.force_login(casework.staff["clerk"])
    page = client.get(f"/staff/cases/{application.number}/").content.decode()
    assert re.search(r'<div class="govuk-inset-text" id="next-actor">\s*<strong>下一步：</strong>\s*'
                     r'窗口受理 · 测试clerk', page)
    received = client.post(f"/staff/cases/{application.number}/steps/receive/", follow=True)
    notices = [str(m) for m in received.context["messages"]]
    assert notices == ["已完成：接件。", "下一步：窗口受理（测试clerk）"]  # 受理 waits for the one clerk
    accepted = client.post(f"/staff/cases/{application.number}/steps/accept/", {"accept-opinion": "齐全"},
                           follow=True)
    assert [str(m) for m in accepted.context["messages"]][-1] == "下一步：审查（测试reviewer）"
    review = WorkTask.objects.get(instance=application.process, bpmn_id="review")
    task_claim(actor=casework.staff["reviewer"], task=review)  # claimed: the person is named
    page = client.get(f"/staff/cases/{application.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<strong>Next:</strong>\s*Reviewer · 测试reviewer', page)


def test_the_steps_table_brackets_the_state_as_the_language_does(client, casework):
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    client.force_login(casework.staff["clerk"])
    url = f"/staff/cases/{application.number}/"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '接件<span class="egov-secondary">（完成）</span>' in chinese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'Receive<span class="egov-secondary"> (Completed)</span>' in english


def test_while_a_supplement_is_awaited_the_applicant_acts_next(client, casework):
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    processing.application_supplement_request(actor=casework.staff["clerk"], application=application,
                                              materials=list(casework.item.materials.all()), note="复印件不清晰")
    application.refresh_from_db()
    assert application_next_actors(application=application) == [NextActor(role="申请人",
                                                                          who=application.applicant_name)]


def test_a_material_is_previewed_inline_in_a_frame_of_this_site_only(client, casework):
    application = submit(casework.item, casework.citizen)
    row = application.materials.get()
    url = f"/staff/cases/{application.number}/materials/{row.pk}/"
    client.force_login(casework.staff["clerk"])
    page = client.get(f"/staff/cases/{application.number}/").content.decode()
    assert f'<iframe class="material-preview" title="{row.material.name}" src="{url}?inline=1"' in page
    preview = client.get(url, {"inline": "1"})
    assert preview.status_code == 200 and preview.content == PDF
    assert preview["Content-Disposition"] == f'inline; filename="{application.number}-{row.pk}.pdf"'
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(url)["Content-Disposition"].startswith("attachment;")  # the link still downloads
    reads = AuditEvent.objects.filter(action="services.application.read", changes__what="material file")
    assert reads.count() == 2  # the preview is an audited read too
    client.force_login(casework.staff["other_clerk"])
    assert client.get(url, {"inline": "1"}).status_code == 404


def _case_deadline(html: str) -> str:
    found = re.search(r'<span id="case-deadline">(.*?)</span>(?=\s*(?:\(|</dd>))', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_a_decided_case_shows_when_it_was_decided_and_within_the_time_limit(client, casework):
    """Found by a tester: a decided case showed 无时限 beside its 办结期限."""
    from django.utils import timezone, translation

    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    processing.application_review(actor=staff["reviewer"], application=case)
    processing.application_decide(actor=staff["approver"], application=case, approve=True)
    case.refresh_from_db()
    client.force_login(staff["clerk"])
    with translation.override("zh-hans"):
        html = client.get(f"/staff/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    today = timezone.localdate().isoformat()
    # Decided today, the day it was accepted: well within its 2 working days.
    assert _case_deadline(html) == f"{case.process.due_date.isoformat()} · {today} 作出决定 在时限内"
    assert "无时限" not in html


def test_the_case_page_says_since_when_the_clock_is_stopped(client, casework):
    """Found by a tester: the staff case page lost the "clock stopped since <date>" line."""
    from django.utils import timezone, translation

    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    processing.application_special_procedure_start(actor=staff["reviewer"], application=case, kind="hearing",
                                                   reason="需要听证。")
    case.refresh_from_db()
    client.force_login(staff["reviewer"])
    with translation.override("zh-hans"):
        html = client.get(f"/staff/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    today = timezone.localdate().isoformat()
    assert _case_deadline(html) == f"{case.process.due_date.isoformat()} 自 {today} 起暂停计时"


def test_a_missing_material_is_named_once_in_the_summary_and_not_beside_its_own_label(client, casework):
    # The error summary put the material's name before a message that began with it again:
    # "本人有效身份证件：本人有效身份证件：此材料为必交材料。"
    client.force_login(casework.citizen)
    required = casework.item.materials.get(required=True)
    response = client.post(f"/services/{casework.item.code}/apply/", _apply_post(casework.item))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#id_material-{required.pk}">{required.name}：此材料为必交材料。</a>' in html
    assert html.count(f"{required.name}：{required.name}") == 0
def test_after_a_supplement_request_the_acceptance_step_does_not_claim_to_be_done(client, casework):
    """Found by a tester: after a 补正 request the steps said "受理 (完成)" while 受理日期 was "—"."""
    clerk = casework.staff["clerk"]
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=clerk, application=case)
    material = casework.item.materials.get(required=True)
    processing.application_supplement_request(actor=clerk, application=case, materials=[material], note="缺少签字页")
    client.force_login(clerk)
    html = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert re.search(r'受理日期</dt><dd class="govuk-summary-list__value">—</dd>', html)
    assert '受理<span class="egov-secondary">（一次性告知补正）</span>' in html
    assert '受理<span class="egov-secondary">（完成）</span>' not in html


def test_an_on_the_spot_item_says_即办(client, casework):
    """Found by a tester: a 即办 item showed "自受理之日起 0 个工作日"."""
    casework.item.promised_limit_days = 0
    casework.item.legal_limit_days = 0
    casework.item.save()
    case = submit(casework.item, casework.citizen)
    client.force_login(casework.staff["clerk"])
    html = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert case.limit_days == 0
    assert "即办" in html and "0 个工作日" not in html


def test_the_decision_comes_first_and_the_special_procedure_is_folded_for_whom_the_case_waits(client, casework):
    """Found by a tester: on a phone 启动特别程序 (a full form) came above 决定 and was still offered to
    the reviewer after 审查; the 34-organization joint-review list made the page thousands of px tall."""
    case = submit(casework.item, casework.citizen)
    staff = casework.staff
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    url = f"/staff/cases/{case.number}/"
    client.force_login(staff["reviewer"])
    html = client.get(url).content.decode()
    assert html.index('id="step-review"') < html.index('id="special-procedure"')
    assert re.search(r'<details class="govuk-details egov-step-form" id="special-procedure">', html)
    # The organizations to consult are folded (closed while none is chosen), as small checkboxes.
    assert '<details class="govuk-details" id="joint-reviewers">' in html
    assert 'govuk-checkboxes govuk-checkboxes--small' in html.split('id="joint-reviewers"')[1]
    approver = Client()
    _sign_in_with_second_factor(approver, staff["approver"])
    assert 'id="special-procedure"' not in approver.get(url).content.decode()  # not the approver's step yet

    processing.application_review(actor=staff["reviewer"], application=case)
    client.force_login(staff["reviewer"])
    assert 'id="special-procedure"' not in client.get(url).content.decode()  # 审查 is done
    html = approver.get(url).content.decode()
    assert html.index('id="step-decide"') < html.index('id="special-procedure"')


def _sign_in_with_second_factor(client, user) -> None:
    """Sign ``user`` (a role that needs MFA) in through the staff pages with a backup code."""
    from egov.accounts.actions import staff_backup_codes_issue

    staff_backup_codes_issue(actor=None, user=user, codes=["86421357"])
    client.post("/staff/login/", {"username": user.username, "password": "casework-test-2026"})
    response = client.post("/staff/login/code/", {"token": "86421357"})
    assert response.status_code == 302, response.content.decode()[:500]
