"""E-licences: issued at 办结 of an approved case, numbered per organization and year, valid for the
item's years, sealed so that they verify, and printed with real glyphs for any name."""

import subprocess
from datetime import date

import pytest
from django.utils import translation

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict
from egov.services.actions.licensing import LicenceHolder, licence_pdf_render, licence_validity
from egov.services.actions.numbers import licence_number_allocate
from egov.services.models import Licence
from egov.services.selectors import licence_pdf
from egov.services.tests.conftest import HALL_CITIZEN_NAME
from egov.trust.models import Seal
from egov.trust.verification import pdf_verify, pdf_verify_code


def test_validity_runs_to_the_eve_of_the_anniversary():
    assert licence_validity(issued_on=date(2026, 3, 1), valid_years=5) == date(2031, 2, 28)
    assert licence_validity(issued_on=date(2026, 1, 1), valid_years=4) == date(2029, 12, 31)
    # From 29 February 2028 the fifth anniversary falls in a common year: 28 February, so to the 27th.
    assert licence_validity(issued_on=date(2028, 2, 29), valid_years=5) == date(2033, 2, 27)
    assert licence_validity(issued_on=date(2026, 3, 1), valid_years=None) is None


def test_numbers_per_organization_and_year(casework):
    from egov.services.tests.factories import submit

    submit(casework.item, casework.citizen)  # gives the bureau its case code 320200001
    first = licence_number_allocate(organization=casework.bureau, year=2026)
    second = licence_number_allocate(organization=casework.bureau, year=2026)
    next_year = licence_number_allocate(organization=casework.bureau, year=2027)
    assert (first, second, next_year) == ("320200001-2026-000001", "320200001-2026-000002",
                                          "320200001-2027-000001")


def test_an_approved_case_gets_a_sealed_licence_that_verifies(hall):
    case = hall.concluded()
    licence = Licence.objects.get(application=case)
    # A person registering a company: the 营业执照 is the company's (the form's 企业名称), not the person's.
    assert licence.name == "营业执照" and licence.holder_name == "无锡示范科技有限公司"
    # ... and the company gets its code at approval (the first the bureau of 320200 assigns, worked by
    # hand in test_uscc_by_the_standards_algorithm): before, a person's 营业执照 had no code line.
    assert licence.holder_uscc == "91320200MA0000015X"
    assert "91320200MA0000015X" in "".join(_pdf_text_of(licence).split())
    assert licence.number.endswith(f"-{licence.issued_on.year}-000001")
    assert licence.valid_until == licence_validity(issued_on=licence.issued_on, valid_years=5)
    report = pdf_verify(pdf=licence_pdf(licence=licence))
    assert report.valid and len(report.signatures) == 1
    assert report.signatures[0].seal["organization"] == hall.casework.bureau.name
    assert pdf_verify_code(code=licence.document.code).valid
    assert AuditEvent.objects.filter(action="services.licence.issue", object_id=str(licence.pk)).count() == 1



@pytest.fixture
def public_url(reference_data, live_server, settings):
    """The live server as ``EGOV_PUBLIC_URL`` before the CA exists: the seal certificate's AIA then names
    an OCSP responder that answers NSS."""
    settings.EGOV_PUBLIC_URL = live_server.url
    return live_server.url


def test_a_licence_is_valid_in_pdfsig_and_openssl(public_url, hall, tmp_path):
    """Issue 19 item 3: a citizen opening the licence in a common reader sees a valid seal. poppler's
    pdfsig (NSS) and OpenSSL cms -verify, trusting only the platform root, accept the signature and the
    certificate (before, pdfsig said "Unknown issue with Certificate" and OpenSSL "unsuitable certificate
    purpose")."""
    from egov.trust.selectors import root_authority
    from egov.trust.tests.verifiers import openssl_cms_verify, pdfsig

    licence = Licence.objects.get(application=hall.concluded())
    data = licence_pdf(licence=licence)
    root = bytes(root_authority().certificate.der)
    report = pdfsig(data, root_der=root, directory=tmp_path / "pdfsig")
    assert [(s["signature"], s["certificate"]) for s in report] == [
        ("Signature is Valid.", "Certificate is Trusted.")]
    result = openssl_cms_verify(data, root_der=root, directory=tmp_path / "cms")
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr


def test_an_enterprise_establishing_a_new_company_gets_the_new_companys_licence(hall, tmp_path):
    """An existing enterprise (through its agent) applies for 设立登记 of a NEW company: the 营业执照
    is the new company's — its name, type, legal representative, registered capital, domicile and
    scope from the form, and a code assigned at approval — never the applying enterprise's name,
    USCC or legal representative (《市场主体登记管理条例》第八条). Before, it mixed the two."""
    from egov.accounts.actions import legal_person_register
    from egov.services.actions import processing
    from egov.services.tests.factories import USCC_B, VALID_COMPANY, submit

    agent = hall.citizen.natural_person
    enterprise = legal_person_register(uscc=USCC_B, name="无锡示范科技有限公司", legal_representative="王建国",
                                       password="enterprise-test-2026", agent=agent)
    form = {**VALID_COMPANY, "company_name": "无锡新创软件有限公司", "registered_capital": 250,
            "legal_representative": "李明", "address": "无锡市梁溪区中山路1号",
            "business_scope": "软件开发；信息技术咨询服务"}
    item = hall.casework.item  # the demo catalogue's 企业设立登记 form asks for these two as well
    item.form_schema["properties"].update({"legal_representative": {"type": "string", "title": "法定代表人姓名"},
                                           "address": {"type": "string", "title": "住所"}})
    item.save(update_fields=["form_schema"])
    staff = hall.casework.staff
    case = submit(item, hall.citizen, key="enterprise-licence-1", form=form,
                  legal_person=enterprise)
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    processing.application_review(actor=staff["reviewer"], application=case)
    processing.application_decide(actor=staff["approver"], application=case, approve=True)
    processing.application_conclude(actor=staff["clerk"], application=case)
    licence = Licence.objects.get(application=case)
    assert licence.holder_name == "无锡新创软件有限公司"
    assert licence.holder_uscc == "91320200MA0000015X"
    path = tmp_path / "licence.pdf"
    path.write_bytes(licence_pdf(licence=licence))
    text = "".join(_pdf_text(path).split())
    for absent in (HALL_CITIZEN_NAME, "无锡示范科技有限公司", USCC_B, "王建国"):
        assert absent not in text, absent
    for expected in ("无锡新创软件有限公司", "统一社会信用代码", "91320200MA0000015X", "法定代表人", "李明",
                     "有限责任公司", "注册资本", "250万元", "住所", "无锡市梁溪区中山路1号",
                     "经营范围", "软件开发；信息技术咨询服务"):
        assert expected in text, expected


def test_uscc_by_the_standards_algorithm():
    """GB 32100-2015 worked by hand for the 1st enterprise registered in 320200: 主体标识码 body MA000001,
    GB 11714 check: M=22×3 + A=10×7 + 1×2 = 138, 138 mod 11 = 6, 11 − 6 = 5; the 17 characters
    91320200MA0000015 in the USCC alphabet (M = 21, A = 10) weighted 1 3 9 27 19 26 16 17 20 29 25 13 8
    24 10 30 28 sum to 9+3+27+54+52+420+290+30+140 = 1025, 1025 mod 31 = 2, 31 − 2 = 29 → X."""
    from stdnum.cn import uscc

    from egov.services.actions.licensing import organization_code_check, uscc_compose

    assert organization_code_check("MA000001") == "5"
    # GB 11714's own example: organization code D2143569-X.
    assert organization_code_check("D2143569") == "X"
    assert uscc_compose(division_code="320200", sequence=1) == "91320200MA0000015X"
    codes = {uscc_compose(division_code="320213", sequence=n) for n in (1, 2, 999_999)}
    assert len(codes) == 3 and all(uscc.is_valid(code) and code.startswith("91320213MA") for code in codes)
    with pytest.raises(ValueError):
        uscc_compose(division_code="320200", sequence=1_000_000)


def test_a_food_business_licence_prints_the_premises_and_business_form(hall, tmp_path):
    """食品经营许可证 (《食品经营许可和备案管理办法》): the operator, its code, 经营场所 and 主体业态 the
    applicant entered; before, the premises and the business form were left out."""
    from egov.services.actions.licensing import licence_holder
    from egov.services.models import Application

    item = hall.casework.item
    item.form_schema = {"properties": {"business_type": {"type": "string", "oneOf": [
        {"const": "retail", "title": "食品销售经营者"}, {"const": "catering", "title": "餐饮服务经营者"}]}}}
    form = {"business_name": "无锡梁溪小吃店", "uscc": "91320213MA1X2Y3W4U", "premises": "无锡市梁溪区崇安寺街8号",
            "business_type": "catering", "food_safety_manager": "赵敏"}
    application = Application(item=item, applicant=hall.citizen, applicant_name=HALL_CITIZEN_NAME, form_data=form)
    with translation.override("en"):
        holder = licence_holder(application=application)
    assert (holder.name, holder.identifier) == ("无锡梁溪小吃店", "91320213MA1X2Y3W4U")
    assert ("Business premises", "无锡市梁溪区崇安寺街8号") in holder.facts
    assert ("Main business form", "餐饮服务经营者") in holder.facts
    with translation.override("zh-hans"):
        holder = licence_holder(application=application)
    pdf = licence_pdf_render(context={"title": "食品经营许可证", "number": "320200001-2026-000001", "holder": holder,
                                      "item": "食品经营许可（新办）", "organization": "无锡市市场监督管理局",
                                      "issued_on": date(2026, 3, 1), "valid_until": date(2031, 2, 28),
                                      "tracking_number": "320200001-20260301-0000011"})
    path = tmp_path / "food.pdf"
    path.write_bytes(pdf)
    text = "".join(_pdf_text(path).split())
    for expected in ("经营场所", "无锡市梁溪区崇安寺街8号", "主体业态", "餐饮服务经营者"):
        assert expected in text, expected


def test_a_denied_case_gets_no_licence(hall):
    case = hall.concluded(approve=False)
    assert not Licence.objects.filter(application=case).exists()


def test_no_seal_no_conclusion(hall):
    Seal.objects.update(is_active=False)
    with pytest.raises(Conflict) as raised:
        hall.concluded()
    assert raised.value.extra["rule"] == "no_seal"
    assert not Licence.objects.exists()


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pdf_text_of(licence) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(licence_pdf(licence=licence))
        handle.flush()
        return _pdf_text(handle.name)


def _pdf_fonts(path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("name", ["张𠮷明", "王\U0002A700华", "李\U0002B820", "Ōtomo 大伴"])
def test_names_print_with_real_glyphs(tmp_path, name):
    """Every character of the holder's name comes back out of the PDF's text (so a font had its
    glyph: WeasyPrint drops characters no font has, or draws .notdef boxes without a mapping), and
    characters from CJK Extension C on, which Noto Serif CJK SC lacks, are set in 花園明朝 B.
    U+20BB7 𠮷 is CJK Extension B (in Noto CJK, from JIS X 0213), U+2A700 Extension C, U+2B820
    Extension E."""
    holder = LicenceHolder(name=name, identifier_label="", identifier="")
    pdf = licence_pdf_render(context={"title": "营业执照", "number": "320200001-2026-000001", "holder": holder,
                                      "item": "企业设立登记", "organization": "无锡市行政审批局",
                                      "issued_on": date(2026, 3, 1), "valid_until": None,
                                      "tracking_number": "320200001-20260301-0000011"})
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    text = _pdf_text(path)
    assert name in text
    assert "\ufffd" not in text and "?" not in text
    fonts = _pdf_fonts(path)
    assert "NotoSerifCJK" in fonts.replace("-", "") or "Noto-Serif-CJK" in fonts
    if any(ord(ch) >= 0x2A700 for ch in name):
        assert "HanaMinB" in fonts
