"""The demo city's information resource catalog (``fixtures/demo_information_resources.json``):
resources of 市公安局, 市市场监管局, 市行政审批局, 市数据局 and 市人社局 in the 基础, 主题 and 部门
catalogs, two of them open to the public."""

import json
from pathlib import Path

from egov.core.actors import SYSTEM
from egov.exchange.actions import catalog_import
from egov.exchange.models import InformationResource

DEMO_RESOURCES = Path(__file__).parent / "fixtures" / "demo_information_resources.json"


def demo_information_resources_load() -> int:
    """Publish the demo resources that are not in the catalog yet (an entry edited since is kept).

    Returns:
        How many resources were published.
    """
    data = json.loads(DEMO_RESOURCES.read_text(encoding="utf-8"))
    known = set(InformationResource.objects.values_list("code", flat=True))
    missing = [spec for spec in data["resources"] if spec["code"] not in known]
    return catalog_import(actor=SYSTEM, data={"resources": missing})["resources"] if missing else 0
