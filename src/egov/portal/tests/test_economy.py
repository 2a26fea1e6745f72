"""The public pages of the macro-economic data (/data/economy/): the right figures in the tables,
the charts' data equal to the tables', downloads that import back unchanged, English labels on
English pages, and in a browser the charts drawn at desktop and phone width with no serious
accessibility violation."""

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from egov.core.actors import SYSTEM
from egov.demo import demo_economy_load
from egov.registries.actions import indicator_define, indicator_values_import

AXE = Path(__file__).parents[4] / "tests" / "vendor" / "axe-core" / "axe.min.js"
# Figures worked by hand: 2023's 无锡市 GDP 15456.19 亿元 revised nothing; 梁溪区 written in 万元.
FIGURES = (
    "指标代码,行政区划代码,统计时期,数值,计量单位,数据状态\n"
    "GDP,320200,2022,14850.82,亿元,最终\n"
    "GDP,320200,2023,15456.19,亿元,最终\n"
    "GDP,320213,2023,14560000,万元,初步\n"  # 14,560,000 万元 = 1456 亿元
)


@pytest.fixture
def gdp(db):
    indicator = indicator_define(
        actor=SYSTEM,
        code="GDP",
        name="地区生产总值",
        name_en="Gross regional product",
        unit="亿元",
        unit_en="100 million yuan",
        source="无锡市统计局",
        source_en="Wuxi Statistics Bureau",
        definition="按当年价格计算。",
        definition_en="At current prices.",
    )
    batch = indicator_values_import(
        actor=SYSTEM, actor_label="test", content=FIGURES.encode(), file_name="gdp.csv", source="无锡市统计局"
    )
    assert batch.counts["imported"] == 3, batch.rejected
    return indicator


def _table(page: str, table_id: str) -> list[list[str]]:
    tree = lxml_html.fromstring(page)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
        for row in tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')
    ]


def _chart(page: str, script_id: str) -> dict:
    tree = lxml_html.fromstring(page)
    return json.loads(tree.xpath(f'//script[@id="{script_id}"]')[0].text)


def test_the_tables_show_the_figures_and_the_charts_draw_the_same(client, gdp):
    page = client.get("/data/economy/GDP/").content.decode()
    over_time = _table(page, "table-over-time")
    assert over_time == [["2022年", "14850.82", "最终"], ["2023年", "15456.19", "最终"]]
    across = _table(page, "table-across")  # the latest period, 2023, every division
    assert across == [["无锡市 320200", "15456.19", "最终"], ["梁溪区 320213", "1456.00", "初步"]]
    line, bar = _chart(page, "chart-line-data"), _chart(page, "chart-bar-data")
    assert (line["kind"], line["unit"]) == ("line", "亿元")
    assert list(zip(line["labels"], line["values"], strict=True)) == [(row[0], row[1]) for row in over_time]
    assert bar["kind"] == "bar"
    assert bar["values"] == [row[1] for row in across]
    assert bar["labels"] == ["无锡市", "梁溪区"]
    assert "echarts.common.min.js" in page
    caption = lxml_html.fromstring(page).xpath('//table[@id="table-across"]/caption')[0].text_content()
    assert "亿元" in caption


def test_filters_choose_the_division_and_the_period(client, gdp):
    page = client.get("/data/economy/GDP/?division=320213&period=2022").content.decode()
    assert _table(page, "table-over-time") == [["2023年", "1456.00", "初步"]]
    assert _table(page, "table-across") == [["无锡市 320200", "14850.82", "最终"]]
    assert client.get("/data/economy/GDP/?division=999999").status_code == 400
    assert client.get("/data/economy/CPI/").status_code == 404


def test_english_pages_have_english_names_and_units(client, gdp):
    page = client.get("/data/economy/GDP/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//h1")[0].text_content().strip() == "Gross regional product"
    assert _table(page, "table-over-time")[0] == ["2022", "14850.82", "Final"]
    assert _chart(page, "chart-line-data")["unit"] == "100 million yuan"
    assert "Wuxi Statistics Bureau" in page and "At current prices." in page
    index = client.get("/data/economy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gross regional product" in index and "15456.19" in index


def test_the_downloads_hold_every_figure_and_the_csv_imports_back_unchanged(client, gdp):
    data = client.get("/data/economy/GDP.json").json()
    assert data["indicator"]["unit"] == "亿元"
    assert [(v["division"], v["period"], v["value"], v["status"]) for v in data["values"]] == [
        ("320200", "2022", "14850.82", "final"),
        ("320200", "2023", "15456.19", "final"),
        ("320213", "2023", "1456.00", "preliminary"),
    ]
    csv_bytes = client.get("/data/economy/GDP.csv").content
    assert (
        csv_bytes.decode("utf-8-sig").splitlines()[1]
        == "GDP,地区生产总值,320200,无锡市,2022,14850.82,亿元,最终,无锡市统计局"
    )
    again = indicator_values_import(actor=SYSTEM, actor_label="test", content=csv_bytes, file_name="GDP.csv")
    assert (again.counts["unchanged"], again.counts["imported"], again.counts["rejected"]) == (3, 0, 0)


def test_the_demo_figures(client, reference_data):
    demo_economy_load()
    page = client.get("/data/economy/GDP/").content.decode()
    # fixtures/demo_economy/figures.csv: GDP,320200,2019..2024 = 11850.00 … 16260.00; 2024 初步核算.
    assert [row[1] for row in _table(page, "table-over-time")] == [
        "11850.00",
        "12370.00",
        "14000.00",
        "14850.00",
        "15450.00",
        "16260.00",
    ]
    across = _table(page, "table-across")
    assert len(across) == 8 and across[0] == ["无锡市 320200", "16260.00", "初步"]
    # The city's 2024 figure is the sum of its seven districts and county-level cities (the README).
    assert sum(float(row[1]) for row in across[1:]) == pytest.approx(16260.00)


@pytest.mark.parametrize(
    "viewport,locale", [({"width": 1280, "height": 900}, "zh-CN"), ({"width": 390, "height": 844}, "en-US")]
)
def test_the_charts_are_drawn_beside_their_tables(reference_data, live_server, browser, viewport, locale):
    demo_economy_load()
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    response = page.goto(live_server.url + "/data/economy/GDP/")
    assert response.status == 200
    for chart in ("#chart-line", "#chart-bar"):
        page.wait_for_selector(f"{chart} svg path", state="attached")
        assert page.locator(f"{chart} svg path").count() > 8  # axes, grid lines and the data's marks
        box = page.locator(chart).bounding_box()
        assert 0 < box["width"] <= viewport["width"]
    if locale == "en-US":
        assert page.locator("h1").inner_text() == "Gross regional product (GDP)"
        assert "100 million yuan" in page.locator("#chart-line svg").inner_html()
    else:
        assert "亿元" in page.locator("#chart-line svg").inner_html()
    assert page.locator("#table-across tbody tr").count() == 8
    page.evaluate(AXE.read_text())  # not a <script> tag: the CSP refuses inline script
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
    folder = Path("/tmp/macro-shots")
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"economy-{viewport['width']}-{locale}.png"), full_page=True)
    context.close()


def test_the_demo_population_differs_by_district_and_adds_up_to_the_city():
    # Found by a tester: 锡山区 and 惠山区 had the same 常住人口 every year 2019–2024.
    import csv
    from decimal import Decimal

    import egov

    path = Path(egov.__file__).parent / "fixtures" / "demo_economy" / "figures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["指标代码"] == "POP_RESIDENT"]
    by_year: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        by_year.setdefault(row["统计时期"], {})[row["行政区划代码"]] = Decimal(row["数值"])
    assert sorted(by_year) == ["2019", "2020", "2021", "2022", "2023", "2024"]
    for year, figures in by_year.items():
        assert figures["320205"] != figures["320206"], year
        assert sum(v for code, v in figures.items() if code != "320200") == figures["320200"], year
    assert (by_year["2024"]["320205"], by_year["2024"]["320206"]) == (Decimal("75.30"), Decimal("67.26"))
