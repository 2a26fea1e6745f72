"""GB/T 2260 divisions (history, successors, the 2024 list) and the organization tree."""

from pathlib import Path

import pytest

from egov.orgs.models import Division
from egov.orgs.selectors import (
    division_current,
    division_history,
    division_successors,
    organization_subtree,
    organization_tree,
)
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gbt2260"


def test_codes_in_use_are_the_2024_list():
    listed = {}
    for line in (FIXTURES / "2024.txt").read_text(encoding="utf-8").splitlines():
        code, name = line.split(maxsplit=1)
        listed[code] = name
    in_use = dict(Division.objects.filter(valid_until__isnull=True).values_list("code", "name"))
    assert in_use == listed


def test_licence_ships_with_the_data():
    assert "CC0" in (FIXTURES / "LICENSE-CC0.txt").read_text(encoding="utf-8")


def test_wuxi_divisions_of_2024():
    wuxi = {d.code: d.name for d in Division.objects.filter(code__startswith="3202", valid_until__isnull=True)}
    assert wuxi == {"320200": "无锡市", "320205": "锡山区", "320206": "惠山区", "320211": "滨湖区", "320213": "梁溪区",
                    "320214": "新吴区", "320281": "江阴市", "320282": "宜兴市"}


def test_retired_code_resolves_to_its_successor():
    (chong_an,) = division_history(code="320202")
    assert (chong_an.name, chong_an.valid_from, chong_an.valid_until, chong_an.in_use) == ("崇安区", 1983, 2015, False)
    assert division_current(code="320202") is None
    assert [(d.code, d.name) for d in division_successors(code="320202")] == [("320213", "梁溪区")]


def test_reused_code_keeps_both_periods():
    periods = [(d.name, d.valid_from, d.valid_until) for d in division_history(code="320211")]
    assert periods == [("郊区", 1983, 2000), ("滨湖区", 2000, None)]
    assert division_current(code="320211").name == "滨湖区"
    assert [d.code for d in division_successors(code="320211")] == ["320211"]


def test_successors_follow_chains_and_splits():
    # 江阴县 320221 → 329005 江阴市 (1987, provincial numbering) → 320281 江阴市 (1990).
    assert [(d.code, d.name) for d in division_successors(code="320221")] == [("320281", "江阴市")]
    # 锡山市 320283 (1995–2000) was split into 锡山区, 惠山区 and 滨湖区.
    assert [d.code for d in division_successors(code="320283")] == ["320205", "320206", "320211"]
    # 无锡县 320222 → 锡山市 320283 (1995) → the three districts.
    assert [d.code for d in division_successors(code="320222")] == ["320205", "320206", "320211"]


def test_unknown_code_has_no_history():
    assert division_history(code="990000") == []
    assert division_successors(code="990000") == []


def test_tree_order_and_subtree(city, department):
    office = OrganizationFactory(parent=department, name="审批局办公室")
    other = OrganizationFactory(parent=city, name="无锡市数据局")
    assert list(organization_tree()) == sorted([city, department, office, other], key=lambda o: o.path)
    assert list(organization_tree())[0] == city
    assert list(organization_subtree(organization=department)) == [department, office]


def test_every_retired_jiangsu_county_code_resolves_to_a_code_in_use():
    """Address codes in ID numbers are county-level: each retired one leads to a division in use
    (Jiangsu's, to keep the test fast; the rule is the same everywhere)."""
    in_use = Division.objects.filter(valid_until__isnull=True).values("code")
    retired = set(Division.objects.filter(level="county", code__startswith="32").exclude(code__in=in_use)
                  .values_list("code", flat=True))
    assert len(retired) > 50
    resolved = {code: division_successors(code=code) for code in retired}
    assert [code for code, found in resolved.items() if not found or not all(d.in_use for d in found)] == []
