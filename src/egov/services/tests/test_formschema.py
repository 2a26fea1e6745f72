"""Application forms: schema checks, server-side validation naming fields, rendering and parsing."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from egov.core.errors import ValidationFailed
from egov.services.formschema import SchemaForm, form_data_validate, form_errors, form_fields, form_schema_check
from egov.services.tests.factories import COMPANY_FORM, VALID_COMPANY

SCHEMA = form_schema_check(COMPANY_FORM)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English msgids; pages default to Chinese."""
    with translation.override("en"):
        yield


def _rule(data):
    with pytest.raises(ValidationFailed) as failure:
        form_data_validate(schema=SCHEMA, data=data)
    return failure.value


def test_valid_data_passes_unchanged():
    assert form_data_validate(schema=SCHEMA, data=VALID_COMPANY) == VALID_COMPANY


def test_minimum_names_the_field_and_rule():
    error = _rule({**VALID_COMPANY, "registered_capital": -5})
    assert error.extra["field"] == "form.registered_capital"
    assert error.extra["rule"] == "minimum"
    assert error.message == "注册资本（万元）: Must be at least 0.01."


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"company_name": None}, "form.company_name", "required"),
    ({"shareholders": 51}, "form.shareholders", "maximum"),
    ({"shareholders": 1.5}, "form.shareholders", "type"),
    ({"contact_phone": "12800000000"}, "form.contact_phone", "pattern"),  # mobile numbers start 13–19
    ({"established_on": "2026-02-30"}, "form.established_on", "format"),  # no 30 February
    ({"company_type": "partnership"}, "form.company_type", "enum"),
    ({"commitment": False}, "form.commitment", "const"),
    ({"company_name": "无锡"}, "form.company_name", "minLength"),
    ({"unknown": "x"}, "form.unknown", "additionalProperties"),
])
def test_each_rule_names_its_field(change, field, rule):
    data = {**VALID_COMPANY, **change}
    data = {k: v for k, v in data.items() if v is not None}
    error = _rule(data)
    assert (error.extra["field"], error.extra["rule"]) == (field, rule)


def test_all_errors_are_listed_in_display_order():
    error = _rule({"registered_capital": 0, "shareholders": 0, "contact_phone": "110", "commitment": True})
    assert [e["field"] for e in error.extra["errors"]] == [
        "form.company_name", "form.company_type", "form.registered_capital", "form.shareholders",
        "form.contact_phone"]
    assert error.extra["field"] == "form.company_name"


def test_data_that_is_not_an_object_is_refused():
    error = _rule(["not", "an", "object"])
    assert (error.extra["field"], error.extra["rule"]) == ("form", "type")


def test_schema_check_records_the_order_and_refuses_what_it_cannot_render():
    assert SCHEMA["x-order"] == list(COMPANY_FORM["properties"])
    assert form_schema_check({}) == {}
    with pytest.raises(ValidationFailed) as failure:
        form_schema_check({"type": "object", "properties": {"x": {"type": "string", "minimum": "a"}}})
    assert failure.value.extra == {"field": "form_schema", "rule": "json_schema"}
    with pytest.raises(ValidationFailed) as failure:
        form_schema_check({"type": "object", "properties": {"Name": {"type": "string", "title": "名称"}}})
    assert failure.value.extra["rule"] == "unsupported"
    with pytest.raises(ValidationFailed) as failure:
        form_schema_check({"type": "object", "properties": {"name": {"type": "string"}}})
    assert failure.value.extra == {"field": "form_schema.properties.name", "rule": "title"}
    with pytest.raises(ValidationFailed) as failure:
        form_schema_check({"type": "object", "properties": {"d": {"type": "string", "title": "d", "format": "uri"}}})
    assert failure.value.extra["rule"] == "unsupported"
    with pytest.raises(ValidationFailed) as failure:
        form_schema_check({"type": "object", "properties": {}, "required": ["ghost"]})
    assert failure.value.extra["rule"] == "unsupported"


@pytest.mark.django_db
def test_field_order_survives_postgresql_jsonb(item):
    item.refresh_from_db()
    assert [f.name for f in form_fields(item.form_schema)] == list(COMPANY_FORM["properties"])


class _Controls(HTMLParser):
    """Collects what a browser would submit from rendered fields, and each control's attributes."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.attrs: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.attrs[attrs["name"]] = attrs
            if attrs["type"] != "checkbox" or "checked" in attrs:
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag in ("select", "textarea"):
            self.attrs[attrs["name"]] = attrs
            self.values[attrs["name"]] = ""
            self._select = attrs["name"] if tag == "select" else None
            self._textarea = attrs["name"] if tag == "textarea" else None
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs["value"]
        elif tag == "label":
            self.labels[attrs["for"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self._select = self._textarea = None


def _controls(html) -> _Controls:
    parser = _Controls()
    parser.feed(str(html))
    return parser


def test_post_is_parsed_into_json_types():
    post = {"form-company_name": " 无锡示范科技有限公司 ", "form-company_type": "llc",
            "form-registered_capital": "１００", "form-shareholders": "2", "form-contact_phone": "13800000000",
            "form-commitment": "on", "form-business_scope": ""}
    form = SchemaForm(SCHEMA, post)
    assert form.is_valid(), form.errors
    # full-width digits (a Chinese input method) are read as numbers; the empty optional field is left out
    assert form.cleaned_data == {"company_name": "无锡示范科技有限公司", "company_type": "llc",
                                 "registered_capital": 100, "shareholders": 2, "contact_phone": "13800000000",
                                 "commitment": True}


def test_render_then_submit_round_trips():
    data = {**VALID_COMPANY, "registered_capital": 12.5, "established_on": "2026-01-05",
            "business_scope": "软件开发；信息技术咨询服务"}
    rendered = _controls(SchemaForm(SCHEMA, initial=data).render())
    form = SchemaForm(SCHEMA, rendered.values)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == data


def test_rendered_fields_are_accessible():
    html = str(SchemaForm(SCHEMA).render())
    controls = _controls(html)
    capital = controls.attrs["form-registered_capital"]
    assert capital["id"] == "id_form-registered_capital" and "id_form-registered_capital" in controls.labels
    assert capital["type"] == "number" and capital["min"] == "0.01" and "required" in capital
    assert capital["aria-describedby"] == "id_form-registered_capital-help"
    assert '<div class="govuk-hint" id="id_form-registered_capital-help">以人民币万元计</div>' in html
    assert controls.attrs["form-contact_phone"]["pattern"] == "^1[3-9][0-9]{9}$"
    assert controls.attrs["form-established_on"]["type"] == "date"
    assert "required" not in controls.attrs["form-established_on"]
    assert controls.attrs["form-business_scope"]["maxlength"] == "4000"  # a textarea of 2,000 characters
    assert controls.attrs["form-commitment"]["type"] == "checkbox" and "required" in controls.attrs["form-commitment"]
    assert '<option value="llc">有限责任公司</option>' in html
    assert html.count('<span class="egov-required" aria-hidden="true">*</span>') == 6


def test_errors_are_shown_and_tied_to_their_fields():
    post = {"form-company_name": "无锡示范科技有限公司", "form-company_type": "llc", "form-registered_capital": "-1",
            "form-shareholders": "two", "form-contact_phone": "13800000000"}
    form = SchemaForm(SCHEMA, post)
    assert not form.is_valid()
    assert set(form.errors) == {"registered_capital", "shareholders", "commitment"}
    assert form.rules["shareholders"] == "type"
    first = form.first_error()
    assert (first.extra["field"], first.extra["rule"]) == ("form.registered_capital", "minimum")
    html = str(form.render())
    controls = _controls(html)
    shareholders = controls.attrs["form-shareholders"]
    assert shareholders["aria-invalid"] == "true"
    assert shareholders["aria-describedby"] == "id_form-shareholders-error"
    assert shareholders["value"] == "two"  # what was typed comes back to be corrected
    assert re.search(r'<p class="govuk-error-message" id="id_form-shareholders-error">'
                     r'<span class="govuk-visually-hidden">[^<]+</span> Enter a whole number.</p>', html)
    assert "id_form-registered_capital-help id_form-registered_capital-error" in html
    # The page's error summary links each message to its input, in the order of the form.
    assert [anchor for anchor, _text in form.error_links()] == [
        "id_form-registered_capital", "id_form-shareholders", "id_form-commitment"]


def test_messages_are_chinese_by_default():
    with translation.override("zh-hans"):
        error = _rule({**VALID_COMPANY, "registered_capital": -5})
    assert error.message == "注册资本（万元）: 不能小于 0.01。"


def test_values_are_escaped():
    html = str(SchemaForm(SCHEMA, initial={"company_name": '"><script>x</script>'}).render())
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_control_characters_in_text_are_refused_by_name():
    """Found by a tester: the API took "张\\u0000三" (PostgreSQL cannot store NUL) although the page refused it."""
    schema = {"type": "object", "properties": {"name": {"type": "string", "title": "法定代表人"},
                                               "note": {"type": "string", "title": "备注"}}}
    with pytest.raises(ValidationFailed) as refused:
        form_data_validate(schema=schema, data={"name": "张\u0000三", "note": "第一行\n第二行\t制表"})
    assert (refused.value.extra["field"], refused.value.extra["rule"]) == ("form.name", "control_character")
    assert [e["field"] for e in refused.value.extra["errors"]] == ["form.name"]


def test_a_name_of_characters_outside_the_bmp_fits_its_limit_in_the_browser_and_on_the_server():
    # 4 characters of CJK Extension B are 8 UTF-16 units: a browser maxlength of 4 would stop the
    # typist after two of them.
    schema = {"type": "object", "properties": {"holder": {"type": "string", "title": "持证人", "maxLength": 4}}}
    name = "\U00020BB7\U00020BB7\U00020BB7\U00020BB7"  # 𠮷𠮷𠮷𠮷
    assert len(name.encode("utf-16-le")) // 2 == 8
    html_limit = int(_controls(SchemaForm(schema).render()).attrs["form-holder"]["maxlength"])
    assert html_limit >= 8
    form = SchemaForm(schema, {"form-holder": name})
    assert form.is_valid(), form.errors
    too_long = SchemaForm(schema, {"form-holder": name + "明"})
    assert not too_long.is_valid() and too_long.rules["holder"] == "maxLength"


def test_full_width_digits_in_a_code_like_field_are_read_as_ascii_and_free_text_is_kept():
    post = {"form-company_name": "无锡示范科技有限公司", "form-company_type": "llc", "form-registered_capital": "100",
            "form-shareholders": "2", "form-contact_phone": "１３８００００００００", "form-commitment": "on",
            "form-business_scope": "软件开发，ＡＩ服务"}
    form = SchemaForm(SCHEMA, post)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact_phone"] == "13800000000"
    assert form.cleaned_data["business_scope"] == "软件开发，ＡＩ服务"


@pytest.mark.django_db
def test_an_identity_number_field_checks_the_whole_number_not_only_its_shape():
    # 320213199003074514 is valid (梁溪区, born 1990-03-07; MOD 11-2 gives 4); ending in 5 it is a typo.
    schema = {"type": "object", "required": ["id_number"], "properties": {
        "id_number": {"type": "string", "title": "公民身份号码", "format": "cn-resident-id",
                      "pattern": "^[0-9]{17}[0-9X]$"},
        "uscc": {"type": "string", "title": "统一社会信用代码", "format": "cn-uscc"}}}
    assert form_schema_check(schema)["properties"]["id_number"]["format"] == "cn-resident-id"
    assert form_errors(schema=schema, data={"id_number": "320213199003074514", "uscc": "91320213MA1X2Y3W4U"}) == []
    errors = form_errors(schema=schema, data={"id_number": "320213199003074515", "uscc": "91320213MA1X2Y3W4V"})
    assert [(e["field"], e["rule"]) for e in errors] == [("id_number", "format"), ("uscc", "format")]
    with translation.override("en"):
        message = form_errors(schema=schema, data={"id_number": "320213199003074515"})[0]["message"]
    assert "check" in message.lower()


# --- docfix: numbers within bounds, date pairs in order ----------------------------------------

_WORKS = {"type": "object", "properties": {
    "building_area": {"type": "number", "title": "建筑面积（平方米）", "minimum": 0.01, "maximum": 10000000},
    "planned_start": {"type": "string", "title": "计划开工日期", "format": "date"},
    "planned_end": {"type": "string", "title": "计划竣工日期", "format": "date", "after": "planned_start"},
}}


def test_a_huge_or_infinite_number_is_refused_and_an_end_before_its_start_too():
    schema = form_schema_check(_WORKS)
    with translation.override("zh-hans"):
        assert [(e["field"], e["rule"]) for e in form_errors(schema=schema, data={"building_area": 1e308})] == [
            ("building_area", "maximum")]
        assert [(e["field"], e["rule"]) for e in form_errors(schema=schema, data={"building_area": float("inf")})
                ][0] == ("building_area", "finite")
        assert form_errors(schema=schema, data={"building_area": 10000000}) == []
        errors = form_errors(schema=schema, data={"planned_start": "2026-12-10", "planned_end": "2026-12-09"})
        assert errors == [{"field": "planned_end", "rule": "after", "message": "不得早于计划开工日期。"}]
        # the same day, or a later one, is fine
        assert form_errors(schema=schema, data={"planned_start": "2026-12-10", "planned_end": "2026-12-10"}) == []
    form = SchemaForm(schema, {"form-building_area": "1e308", "form-planned_start": "2026-12-10",
                               "form-planned_end": "2026-12-01"})
    assert not form.is_valid() and set(form.errors) == {"building_area", "planned_end"}


def test_after_must_name_another_date_field_and_bounds_must_be_finite():
    bad_after = {"type": "object", "properties": {
        "a": {"type": "string", "title": "甲", "format": "date", "after": "b"}}}
    with pytest.raises(ValidationFailed) as error:
        form_schema_check(bad_after)
    assert error.value.extra == {"field": "form_schema.properties.a", "rule": "unsupported"}


def test_the_demo_catalogue_bounds_its_numbers_and_orders_the_works_dates():
    import json
    from pathlib import Path

    import egov

    catalogue = json.loads((Path(egov.__file__).parent / "fixtures" / "demo_catalog.json").read_text("utf-8"))
    for item in catalogue["items"]:
        for name, field in ((item.get("form_schema") or {}).get("properties") or {}).items():
            if field.get("type") in ("number", "integer"):
                assert "maximum" in field, (item["name"], name)
    works = next(i for i in catalogue["items"] if "planned_end" in (i.get("form_schema") or {}).get("properties", {}))
    assert works["form_schema"]["properties"]["planned_end"]["after"] == "planned_start"
    assert works["form_schema"]["properties"]["building_area"]["maximum"] == 10000000


def test_a_number_field_without_a_maximum_is_bounded_too():
    """Found by a tester: a number field whose schema gives no maximum accepted 1e308. Every number
    field is bounded by ±10^15 (FORM_NUMBER_LIMIT), named in the form error and the input's min/max."""
    schema = form_schema_check({"type": "object", "properties": {
        "area": {"type": "number", "title": "面积"}, "count": {"type": "integer", "title": "人数", "minimum": 0}}})
    with translation.override("zh-hans"):
        assert form_errors(schema=schema, data={"area": 1e308}) == [
            {"field": "area", "rule": "maximum", "message": "不能大于 1000000000000000。"}]
        assert [(e["field"], e["rule"]) for e in form_errors(schema=schema, data={"area": -1e300, "count": 10**400})
                ] == [("area", "minimum"), ("count", "maximum")]
        assert form_errors(schema=schema, data={"area": 10**15, "count": 3}) == []
    form = SchemaForm(schema, {"form-area": "1e308", "form-count": "2"})
    assert not form.is_valid() and set(form.errors) == {"area"}
    html = str(SchemaForm(schema).render())
    assert 'max="1000000000000000"' in html and 'min="-1000000000000000"' in html and 'min="0"' in html
