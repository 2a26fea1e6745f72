"""The demo city's exchange: its information resource catalog
(``fixtures/demo_information_resources.json``: resources of 市公安局, 市市场监管局, 市行政审批局, 市数据局
and 市人社局 in the 基础, 主题 and 部门 catalogs, two of them open to the public) and two sharing
requests (共享申请) of 无锡市行政审批局 to 无锡市公安局 for items of its population resource: one
granted at once (items shared without conditions), one waiting for the provider's decision (an item
shared on conditions). Made through the same audited actions as real use; loaded once."""

import json
from pathlib import Path

from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.exchange import actions
from egov.exchange.models import InformationItem, InformationResource, SharingRequest
from egov.orgs.models import Organization

DEMO_RESOURCES = Path(__file__).parent / "fixtures" / "demo_information_resources.json"
POPULATION_CODE = "320200-GA-0001"  # 人口基础信息 of 无锡市公安局, in the demo catalog
CONSUMER = "无锡市行政审批局"


def demo_information_resources_load() -> int:
    """Publish the demo resources that are not in the catalog yet (an entry edited since is kept).

    Returns:
        How many resources were published.
    """
    data = json.loads(DEMO_RESOURCES.read_text(encoding="utf-8"))
    known = set(InformationResource.objects.values_list("code", flat=True))
    missing = [spec for spec in data["resources"] if spec["code"] not in known]
    return actions.catalog_import(actor=SYSTEM, data={"resources": missing})["resources"] if missing else 0


def demo_sharing_load(*, steward_username: str) -> None:
    """Create the two demo requests of ``steward_username`` (a data steward of 行政审批局) unless a
    sharing request exists already, or the steward or the population resource is missing (a demo
    database made before). Call after :func:`demo_information_resources_load`."""
    steward = User.objects.filter(username=steward_username).first()
    resource = InformationResource.objects.filter(code=POPULATION_CODE).first()
    if steward is None or resource is None or SharingRequest.objects.exists():
        return
    consumer = Organization.objects.get(name=CONSUMER)
    items = {i.field: i for i in resource.items.all()}
    unconditional = [f for f, i in items.items() if i.sharing_type == InformationItem.SharingType.UNCONDITIONAL]
    actions.request_submit(actor=steward, consumer=consumer, resource=resource, fields=unconditional,
                           purpose="企业设立登记时核验申请人身份", legal_basis="《行政许可法》第三十一条",
                           idempotency_key="demo-sharing-request-1")
    actions.request_submit(actor=steward, consumer=consumer, resource=resource,
                           fields=["id_number", "household_address"],
                           purpose="核验申请人户籍地址，免于提交户口簿复印件", case_number="",
                           legal_basis="《行政许可法》第三十一条；《优化营商环境条例》第三十五条",
                           idempotency_key="demo-sharing-request-2")


LEGAL_ENTITY_CODE = "320200-SCJG-0001"  # 法人单位基础信息 of 无锡市市场监督管理局
LICENCE_CODE = "320200-SP-0001"  # 电子证照信息 of 无锡市行政审批局
# Grants the service hall's once-only applying (免提交) reads under: (resource, consumer organization).
# 市场监管局 reads the e-licences for 食品经营许可（延续）, whose 食品经营许可证 is 免提交; 人社局 reads the
# population register to fill in its items' forms (社会保障卡申领 and the others, citizens only).
HRSS = "无锡市人力资源和社会保障局"
ONCE_ONLY_GRANTS = [(LEGAL_ENTITY_CODE, CONSUMER), (POPULATION_CODE, "无锡市市场监督管理局"),
                    (LICENCE_CODE, "无锡市市场监督管理局"), (POPULATION_CODE, HRSS)]


CREDIT_CHECK_CODE = "320200-FGW-0001"  # 联合奖惩核查 of 无锡市发展和改革委员会 (the credit office)
# 联合奖惩核查 through the exchange: the implementing organizations of the demo hall that check applicants.
CREDIT_CHECK_GRANTS = [(CREDIT_CHECK_CODE, CONSUMER), (CREDIT_CHECK_CODE, "无锡市市场监督管理局")]


def demo_credit_check_grants_load() -> int:
    """Grant, as the platform, every item of the 联合奖惩核查 resource (all shared without conditions) to
    行政审批局 and 市场监管局, unless a grant of it to that consumer exists. Returns how many grants were made."""
    made = 0
    for code, consumer_name in CREDIT_CHECK_GRANTS:
        resource = InformationResource.objects.filter(code=code).first()
        consumer = Organization.objects.filter(name=consumer_name).first()
        if resource is None or consumer is None or resource.grants.filter(consumer_code=consumer.uscc).exists():
            continue
        fields = [i.field for i in resource.items.all() if i.sharing_type == InformationItem.SharingType.UNCONDITIONAL]
        actions.grant_create(actor=SYSTEM, resource=resource, consumer_code=consumer.uscc,
                             consumer_name=consumer.name, fields=fields,
                             purpose="办理政务服务事项时核查申请人的失信惩戒和守信激励记录（联合奖惩）",
                             legal_basis="《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》"
                                         "（国办发〔2020〕49号）")
        made += 1
    return made


def demo_once_only_grants_load() -> int:
    """Grant, as the platform, the items shared without conditions of the legal-entity resource to
    行政审批局, of the population and e-licence resources to 市场监管局 and of the population resource to
    人社局 (the population resource's are granted
    to 行政审批局 by the first demo request), unless a grant of that resource to that consumer
    exists. Returns how many grants were made."""
    made = 0
    for code, consumer_name in ONCE_ONLY_GRANTS:
        resource = InformationResource.objects.filter(code=code).first()
        consumer = Organization.objects.filter(name=consumer_name).first()
        if resource is None or consumer is None or resource.grants.filter(consumer_code=consumer.uscc).exists():
            continue
        fields = [i.field for i in resource.items.all() if i.sharing_type == InformationItem.SharingType.UNCONDITIONAL]
        actions.grant_create(actor=SYSTEM, resource=resource, consumer_code=consumer.uscc,
                             consumer_name=consumer.name, fields=fields,
                             purpose="办理政务服务事项时免于申请人提交登记信息（免提交）",
                             legal_basis="《优化营商环境条例》第三十五条")
        made += 1
    return made


def demo_subscriptions_load() -> int:
    """无锡市行政审批局 subscribes to the changes of 人口基础信息 (granted to it by the first demo request),
    delivered by the platform (``exchange.subscriptions_deliver``), unless a subscription exists or
    the grant is missing. Call after :func:`demo_sharing_load`. Returns how many were made (0 or 1)."""
    from egov.core.errors import PermissionDenied
    from egov.exchange.actions.subscriptions import subscription_create
    from egov.exchange.models import Subscription

    resource = InformationResource.objects.filter(code=POPULATION_CODE).first()
    consumer = Organization.objects.filter(name=CONSUMER).first()
    if resource is None or consumer is None or Subscription.objects.exists():
        return 0
    try:
        subscription_create(actor=SYSTEM, resource=resource, consumer_code=consumer.uscc, consumer_name=consumer.name,
                            purpose="同步申请人身份信息的变更，保持办件中的信息为最新",
                            legal_basis="《行政许可法》第三十一条")
    except PermissionDenied:
        return 0
    return 1
