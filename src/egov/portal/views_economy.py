"""Public pages of the macro-economic data (宏观经济数据, /data/economy/): the indicators, and for
each a line chart of one division's figures over time and a bar chart of every division's figures
for one period, each with the same figures in a table beside it (the table is the accessible way to
read them: a chart is never the only one), and the figures as CSV or JSON.

The figures are read from ``egov.registries.selectors``; the charts are drawn by ECharts (vendored,
``static/egov/vendor/echarts/``) from JSON built from the very rows the tables show."""

import csv
import io
import json
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import cache_control

from egov.core.errors import NotFound
from egov.portal.forms import EconomyFilterForm
from egov.registries.models import EconomicIndicator, IndicatorValue
from egov.registries.selectors import (
    division_names,
    indicator_across_divisions,
    indicator_coverage,
    indicator_get,
    indicator_series,
    indicator_values_all,
    indicators_published,
)

# The columns of the CSV download: those ``egov registries import indicators`` reads, plus names.
CSV_COLUMNS = [
    "指标代码",
    "指标名称",
    "行政区划代码",
    "行政区划名称",
    "统计时期",
    "数值",
    "计量单位",
    "数据状态",
    "数据来源",
]
STATUS_WORDS = {IndicatorValue.Status.PRELIMINARY: "初步", IndicatorValue.Status.FINAL: "最终"}


def figure_text(value: Decimal) -> str:
    """A figure as tables and charts show it: as stored, with 2 to 4 decimal places (trailing zeros
    beyond the second dropped), no grouping: ``Decimal("12370.0000")`` → ``"12370.00"``."""
    text = f"{value:.4f}"
    while text.endswith("0") and len(text.split(".")[1]) > 2:
        text = text[:-1]
    return text


def period_label(period: str) -> str:
    """A period as people read it: ``2024`` → 2024年 / 2024, ``2024Q1`` → 2024年第1季度 / 2024 Q1,
    ``2024-03`` → 2024年3月 / 2024-03."""
    if "Q" in period:
        year, quarter = period.split("Q")
        return pgettext("statistical period, a quarter", "%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}
    if "-" in period:
        year, month = period.split("-")
        return pgettext("statistical period, a month", "%(year)s-%(month)02d") % {"year": year, "month": int(month)}
    return pgettext("statistical period, a year", "%(year)s") % {"year": period}


def _indicator_or_404(code: str) -> EconomicIndicator:
    try:
        return indicator_get(code=code)
    except NotFound:
        raise Http404(_("No such indicator.")) from None


def economy_index(request):
    """The indicators with figures, each with its unit, source and latest figure for the city."""
    indicators = indicators_published()
    latest = []
    for indicator in indicators:
        coverage = indicator_coverage(indicator=indicator)
        division = _default_division(coverage["divisions"])
        kind = coverage["kinds"][0]
        series = indicator_series(indicator=indicator, division=division, kind=kind)
        latest.append((indicator, series[-1] if series else None))
    names = division_names(value.division for _indicator, value in latest if value)
    rows = [
        {
            "indicator": indicator,
            "value": value,
            "figure": figure_text(value.value) if value else "",
            "period": period_label(value.period) if value else "",
            "division": names.get(value.division, value.division) if value else "",
        }
        for indicator, value in latest
    ]
    return render(request, "portal/economy_index.html", {"rows": rows})


def _default_division(codes: list[str]) -> str:
    """The widest division among ``codes``: a city (code ending 00) before its districts."""
    return min(codes, key=lambda code: (not code.endswith("00"), code))


def economy_indicator(request, code: str):
    """One indicator: its definition, unit and source; the figures of one division over time (line
    chart and table) and of every division for one period (bar chart and table); filters for both."""
    indicator = _indicator_or_404(code)
    coverage = indicator_coverage(indicator=indicator)
    if not coverage["divisions"]:
        raise Http404(_("No such indicator."))
    names = division_names(coverage["divisions"])
    periods = [period for kind in coverage["kinds"] for period in reversed(coverage["periods"][kind])]
    form = EconomyFilterForm(
        request.GET or None,
        division_choices=[(code, f"{code} {names.get(code, '')}".strip()) for code in coverage["divisions"]],
        period_choices=[(period, period_label(period)) for period in periods],
    )
    chosen = form.cleaned_data if form.is_valid() else {}
    division = chosen.get("division") or _default_division(coverage["divisions"])
    period = chosen.get("period") or periods[0]
    kind = next(kind for kind in coverage["kinds"] if period in coverage["periods"][kind])
    unit = indicator.local_unit
    over_time = [
        {
            "label": period_label(value.period),
            "period": value.period,
            "figure": figure_text(value.value),
            "status": value.get_status_display(),
            "source": value.source,
        }
        for value in indicator_series(indicator=indicator, division=division, kind=kind)
    ]
    across = [
        {
            "label": names.get(value.division, value.division),
            "division": value.division,
            "figure": figure_text(value.value),
            "status": value.get_status_display(),
            "source": value.source,
        }
        for value in indicator_across_divisions(indicator=indicator, period=period)
    ]
    division_label = names.get(division, division)
    line_title = _("%(indicator)s of %(division)s") % {"indicator": indicator.local_name, "division": division_label}
    bar_title = _("%(indicator)s by division, %(period)s") % {
        "indicator": indicator.local_name,
        "period": period_label(period),
    }
    charts = {
        "line": {
            "kind": "line",
            "title": line_title,
            "unit": unit,
            "labels": [row["label"] for row in over_time],
            "values": [row["figure"] for row in over_time],
        },
        "bar": {
            "kind": "bar",
            "title": bar_title,
            "unit": unit,
            "labels": [row["label"] for row in across],
            "values": [row["figure"] for row in across],
        },
    }
    return render(
        request,
        "portal/economy_indicator.html",
        {
            "indicator": indicator,
            "form": form,
            "unit": unit,
            "division": division,
            "division_label": division_label,
            "period": period,
            "over_time": over_time,
            "across": across,
            "charts": charts,
            "line_title": line_title,
            "bar_title": bar_title,
        },
        status=400 if form.errors else 200,
    )


@cache_control(public=True, max_age=300)
def economy_download(request, code: str, format: str):
    """Every figure of the indicator as ``csv`` (UTF-8 with BOM, the columns the import reads, so a
    download imports back unchanged) or ``json`` (``{"indicator": {...}, "values": [...]}``)."""
    indicator = _indicator_or_404(code)
    values = indicator_values_all(indicator=indicator)
    names = division_names(value.division for value in values)
    if format == "json":
        body = json.dumps(
            {
                "indicator": {
                    "code": indicator.code,
                    "name": indicator.name,
                    "name_en": indicator.name_en,
                    "unit": indicator.unit,
                    "unit_en": indicator.unit_en,
                    "definition": indicator.definition,
                    "definition_en": indicator.definition_en,
                    "source": indicator.source,
                    "source_en": indicator.source_en,
                },
                "values": [
                    {
                        "division": value.division,
                        "division_name": names.get(value.division, ""),
                        "period": value.period,
                        "period_kind": value.period_kind,
                        "value": figure_text(value.value),
                        "status": value.status,
                        "source": value.source,
                    }
                    for value in values
                ],
            },
            ensure_ascii=False,
            indent=1,
        ).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for value in values:
            writer.writerow(
                [
                    indicator.code,
                    indicator.name,
                    value.division,
                    names.get(value.division, ""),
                    value.period,
                    figure_text(value.value),
                    indicator.unit,
                    STATUS_WORDS[value.status],
                    value.source,
                ]
            )
        response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}.{format}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
