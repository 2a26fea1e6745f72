"""The open part of the catalog as DCAT-AP 2.1 in JSON-LD, for CKAN-style harvesters.

One ``dcat:Catalog`` with one ``dcat:Dataset`` per resource marked 开放 (``catalog_io.catalog_resources``
with ``open_only``): ``dct:identifier`` the resource code, ``dct:title`` / ``dct:description`` in
Chinese and, where the catalog has it, English (language-tagged literals), ``dct:publisher`` a
``foaf:Agent`` named by the provider with its unified social credit code, ``dcat:theme`` the
resource's 类-项-目-细目 as a ``skos:Concept`` of the city's classification scheme (and, for the
basic catalogs of the 指南, the EU data theme it falls under), ``dct:accrualPeriodicity`` from the
update cycle in the EU frequency vocabulary, ``dct:issued`` the publication date, and one
``dcat:Distribution`` whose ``dcat:mediaType`` is the IANA media type of the resource's format.

Sources: DCAT-AP 2.1.1 (SEMIC, 2022) §§ Catalogue, Dataset, Distribution; W3C DCAT 2 (2020);
EU Publications Office authority tables *frequency* and *data-theme*.
"""

import json
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from egov.exchange.catalog_io import XLSX_MEDIA_TYPE, catalog_export_json, catalog_export_xlsx, catalog_resources
from egov.exchange.models import InformationResource
from egov.orgs.models import Organization

R = InformationResource
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
# 更新周期 → the EU frequency vocabulary (实时: "continuously updated").
ACCRUAL = {R.UpdateCycle.REALTIME: "UPDATE_CONT", R.UpdateCycle.DAILY: "DAILY", R.UpdateCycle.WEEKLY: "WEEKLY",
           R.UpdateCycle.MONTHLY: "MONTHLY", R.UpdateCycle.QUARTERLY: "QUARTERLY", R.UpdateCycle.YEARLY: "ANNUAL",
           R.UpdateCycle.IRREGULAR: "IRREG"}
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
# The five basic resource catalogs (类 1, 项 01–05 of the 指南) → the EU data theme.
BASIC_THEMES = {"1-01": "SOCI", "1-02": "ECON", "1-03": "ENVI", "1-04": "ECON", "1-05": "GOVE"}
MEDIA = "http://www.iana.org/assignments/media-types/"
# 资源格式 → the media type a consumer receives.
MEDIA_TYPES = {R.Format.FILE: "application/pdf",
               R.Format.SPREADSHEET: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               R.Format.DATABASE: "text/csv", R.Format.IMAGE: "image/png", R.Format.MEDIA: "video/mp4",
               R.Format.SELF_DESCRIBING: "application/json", R.Format.INTERFACE: "application/json"}


def _texts(chinese: str, english: str) -> list[dict[str, str]]:
    texts = [{"@value": chinese, "@language": "zh"}] if chinese else []
    if english:
        texts.append({"@value": english, "@language": "en"})
    return texts


def _theme_levels(classification: str) -> list[str]:
    parts = [part for part in classification.split("-") if part]
    return ["-".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def _absolute(base: str, url: str) -> str:
    """``url`` as an absolute IRI: a path of this site (``/data/economy/``) is put under ``base``."""
    return f"{base}{url}" if url.startswith("/") else url


def catalog_dcat(*, base_url: str, title: str, title_en: str, publisher_name: str,
                 publisher_name_en: str) -> dict[str, Any]:
    """The DCAT-AP document of the open resources.

    Args:
        base_url: the public site's address without a trailing slash (``https://www.wuxi.gov.cn``);
            every IRI of the document is under it (``/open-data/…``).
        title, title_en: the catalog's title; publisher_name(_en): who publishes the catalog.

    Returns:
        A JSON-LD document (compacted form, the context inline: no remote context to fetch).
    """
    base = base_url.rstrip("/")
    scheme = f"{base}/open-data/themes/"
    datasets = []
    for resource in catalog_resources(open_only=True):
        page = f"{base}/open-data/{resource.code}/"
        themes = [{"@id": f"{scheme}{level}", "@type": "skos:Concept", "skos:notation": level,
                   "skos:inScheme": {"@id": scheme}} for level in _theme_levels(resource.classification)[-1:]]
        eu_theme = BASIC_THEMES.get("-".join(resource.classification.split("-")[:2]))
        if eu_theme:
            themes.append({"@id": f"{DATA_THEME}{eu_theme}"})
        media_type = MEDIA_TYPES[resource.format]
        datasets.append({
            "@id": page,
            "@type": "dcat:Dataset",
            "dct:identifier": resource.code,
            "dct:title": _texts(resource.name, resource.name_en),
            "dct:description": _texts(resource.summary or resource.name, resource.summary_en),
            "dct:publisher": {"@id": f"{base}/open-data/providers/{resource.provider_code}",
                              "@type": "foaf:Agent", "dct:identifier": resource.provider_code,
                              "foaf:name": _texts(resource.provider_name, resource.provider_name_en)},
            "dct:issued": {"@value": resource.published_on.isoformat(), "@type": "xsd:date"},
            "dct:accrualPeriodicity": {"@id": f"{FREQUENCY}{ACCRUAL[resource.update_cycle]}"},
            "dcat:theme": themes,
            "dcat:keyword": [{"@value": item.name, "@language": "zh"} for item in resource.items.all()],
            "dcat:landingPage": {"@id": page},
            "dcat:distribution": [{
                "@id": f"{page}#distribution",
                "@type": "dcat:Distribution",
                "dcat:accessURL": {"@id": _absolute(base, resource.access_url) if resource.access_url else page},
                "dcat:mediaType": {"@id": f"{MEDIA}{media_type}"},
                "dct:format": media_type,
            }],
        })
    return {
        "@context": CONTEXT,
        "@id": f"{base}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _texts(title, title_en),
        "dct:description": _texts(f"{title}（DCAT-AP）", f"{title_en} (DCAT-AP)" if title_en else ""),
        "dct:publisher": {"@id": f"{base}/", "@type": "foaf:Agent", "foaf:name": _texts(publisher_name,
                                                                                      publisher_name_en)},
        "foaf:homepage": {"@id": f"{base}/open-data/"},
        "dcat:themeTaxonomy": {"@id": scheme, "@type": "skos:ConceptScheme",
                               "dct:title": _texts("政务信息资源分类（类-项-目-细目）",
                                                   "Government information resource classification")},
        "dcat:dataset": datasets,
    }


def catalog_dcat_for_site() -> dict[str, Any]:
    """``catalog_dcat`` for this platform: IRIs under ``EGOV_PUBLIC_URL``, titled after the city in
    both languages, published by the root of the organization tree (the city government)."""
    root = (Organization.objects.filter(parent__isnull=True).exclude(kind=Organization.Kind.EXTERNAL)
            .order_by("path").first())
    titles = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            titles[language] = _("%(city)s open government data catalog") % {"city": settings.EGOV_CITY_NAME}
    return catalog_dcat(base_url=settings.EGOV_PUBLIC_URL, title=titles["zh-hans"], title_en=titles["en"],
                        publisher_name=root.name if root else titles["zh-hans"],
                        publisher_name_en=(root.name_en if root else "") or titles["en"])


EXPORT_MEDIA_TYPES = {"json": "application/json", "xlsx": XLSX_MEDIA_TYPE, "dcat": "application/ld+json"}


def catalog_export_bytes(*, format: str, open_only: bool) -> bytes:
    """The catalog as a file's bytes: ``format`` ``json`` or ``xlsx`` (``open_only``: what the
    public sees) or ``dcat`` (always the open resources only). UTF-8 for the JSON ones.

    Raises:
        ValueError: an unknown format.
    """
    if format == "json":
        return json.dumps(catalog_export_json(open_only=open_only), ensure_ascii=False, indent=2).encode()
    if format == "xlsx":
        return catalog_export_xlsx(open_only=open_only)
    if format == "dcat":
        return json.dumps(catalog_dcat_for_site(), ensure_ascii=False, indent=2).encode()
    raise ValueError(f"unknown export format {format!r}")
