"""Words a tester found wrong in the Chinese pages (issue 12): each now says what it is."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from egov.services.models import ApplicationStatus

pytestmark = pytest.mark.django_db
# Looked up under other names, so that ``make messages`` does not take these tests' strings for the
# app's own and add them to its catalogue.
in_catalogue, in_catalogue_with_context = translation.gettext, translation.pgettext


def _headers(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", html)]


def test_the_materials_table_names_the_form_of_a_material_not_an_application_form(client, item):
    headers = _headers(client.get(f"/services/{item.code}/").content.decode())
    assert "形式" in headers and "申请表" not in headers


def test_the_ratings_table_heads_departments_and_items_with_名称():
    row = {"name": "无锡市行政审批局", "total": 2, "satisfaction": 0.5, "negative": 1, "rectified": 1}
    with translation.override("zh-hans"):
        html = render_to_string("services/_rating_table.html", {"rows": [row]})
    assert _headers(html)[0] == "名称"


def test_pagers_say_next_page_and_sign_in_says_next_step(client, item):
    with translation.override("zh-hans"):
        # the design system's pager (_pagination.html) says "Next page"
        assert in_catalogue("Next page") == "下一页"
    html = client.get("/staff/login/").content.decode()
    assert re.search(r'<button type="submit" class="govuk-button"[^>]*>\s*下一步\s*</button>', html)


def test_a_licence_has_a_验证码_and_the_second_factor_a_动态验证码(client):
    with translation.override("zh-hans"):
        assert in_catalogue("Verification code") == "验证码"
        assert in_catalogue_with_context("second factor", "Verification code") == "动态验证码"


def test_received_documents_are_已签收_and_received_cases_已接件():
    with translation.override("zh-hans"):
        # the 公文 inbox's heading
        assert in_catalogue_with_context("received official documents", "Signed for") == "已签收"
        assert str(ApplicationStatus.RECEIVED.label) == "已接件"


def test_claiming_a_step_is_认领_and_签收_is_for_公文():
    """Found by a tester: 签收 named both taking a step into one's own 待办 and signing for a received
    公文. Taking a step is 认领 (Claim); 签收 stays for 公文."""
    from egov.workflow.models import WorkTask

    with translation.override("zh-hans"):
        assert in_catalogue("Claim") == "认领"
        assert in_catalogue("You have claimed this step.") == "您已认领此环节。"
        assert in_catalogue("claimed by me") == "我已认领"
        assert in_catalogue("Another person has claimed this step.") == "该环节已由他人认领。"
        assert (str(WorkTask.Status.OPEN.label), str(WorkTask.Status.CLAIMED.label)) == ("待认领", "已认领")
        assert in_catalogue("Sign for (签收)") == "签收"  # a received 公文
