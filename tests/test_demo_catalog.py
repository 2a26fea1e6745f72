"""The demo city's catalog: resources of several organizations, named as the organizations are."""

import pytest

from egov.demo import demo_load
from egov.exchange.models import InformationItem, InformationResource
from egov.orgs.models import Organization


@pytest.mark.django_db
def test_the_demo_city_publishes_resources_of_its_organizations_in_both_languages():
    demo_load()
    resources = {r.code: r for r in InformationResource.objects.all()}
    assert {code: (r.name, r.catalog, r.is_open) for code, r in resources.items()} == {
        "320200-GA-0001": ("人口基础信息", "basic", False),
        "320200-SCJG-0001": ("法人单位基础信息", "basic", True),
        "320200-SP-0001": ("电子证照信息", "basic", False),
        "320200-TJ-0001": ("宏观经济数据", "basic", True),
        "320200-SJ-0001": ("政务服务事项目录", "theme", True),
        "320200-FGW-0001": ("联合奖惩核查", "theme", False),
        "320200-RS-0001": ("社会保险参保信息", "department", False),
    }
    for resource in resources.values():
        organization = Organization.objects.get(uscc=resource.provider_code)
        assert (resource.provider_name, resource.provider_name_en) == (organization.name, organization.name_en)
        assert resource.name_en and resource.summary_en
        assert set(resource.related_codes) <= set(resources)
    assert not InformationItem.objects.filter(name_en="").exists()
    # Each kind of sharing is there, each 不予共享 with its legal reason.
    assert set(InformationItem.objects.values_list("sharing_type", flat=True)) == {"unconditional", "conditional",
                                                                                  "none"}
    assert not InformationItem.objects.filter(sharing_type="none", refusal_basis="").exists()
