"""Demo sharing (共享申请): 无锡市行政审批局 asks 无锡市公安局 for items of its population resource;
one request waits for the provider's decision (an item shared on conditions), another was granted
at once (items shared without conditions). Made through the same audited actions as real use;
loaded once (nothing is added when a sharing request exists)."""

from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.exchange import actions
from egov.exchange.models import InformationItem, InformationResource, SharingRequest
from egov.orgs.models import Organization

PROVIDER = "无锡市公安局"
CONSUMER = "无锡市行政审批局"
# Published only when the provider has no resource with an item shared on conditions (the catalog's
# own demo may publish the population resource first).
POPULATION = {
    "code": "320200-GA-001", "name": "人口基础信息", "classification": "1-01-001", "catalog": "basic",
    "provider_name": PROVIDER, "summary": "本市户籍人口和常住人口的基础信息", "format": "database",
    "update_cycle": "daily", "published_on": "2026-11-01", "related_codes": [],
    "items": [
        {"field": "id_number", "name": "公民身份号码", "data_type": "C", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "name", "name": "姓名", "data_type": "C", "is_personal": True, "sharing_type": "unconditional"},
        {"field": "address", "name": "户籍地址", "data_type": "C", "is_personal": True,
         "sharing_type": "conditional", "sharing_condition": "仅限办理与户籍地相关的行政许可事项"},
        {"field": "religion", "name": "宗教信仰", "data_type": "C", "is_personal": True, "sharing_type": "none",
         "refusal_basis": "《个人信息保护法》第二十八条：敏感个人信息"},
    ],
}


def _resource(provider: Organization) -> InformationResource:
    found = (InformationResource.objects.filter(provider_code=provider.uscc,
                                                items__sharing_type=InformationItem.SharingType.CONDITIONAL)
             .order_by("code").first())
    return found or actions.resource_publish(actor=SYSTEM, data={**POPULATION, "provider_code": provider.uscc})


def demo_sharing_load(*, steward_username: str) -> None:
    """Create the two demo requests of ``steward_username`` (a data steward of 行政审批局) unless a
    sharing request exists already or the steward is missing (a demo database made before)."""
    steward = User.objects.filter(username=steward_username).first()
    if steward is None or SharingRequest.objects.exists():
        return
    provider = Organization.objects.get(name=PROVIDER)
    consumer = Organization.objects.get(name=CONSUMER)
    resource = _resource(provider)
    items = list(resource.items.all())
    conditional = [i.field for i in items if i.sharing_type == InformationItem.SharingType.CONDITIONAL]
    unconditional = [i.field for i in items if i.sharing_type == InformationItem.SharingType.UNCONDITIONAL]
    if unconditional:
        actions.request_submit(actor=steward, consumer=consumer, resource=resource, fields=unconditional,
                               purpose="企业设立登记时核验申请人身份", legal_basis="《行政许可法》第三十一条",
                               idempotency_key="demo-sharing-request-1")
    actions.request_submit(actor=steward, consumer=consumer, resource=resource,
                           fields=[*unconditional[:1], *conditional[:1]],
                           purpose="核验申请人户籍地址，免于提交户口簿复印件", case_number="",
                           legal_basis="《行政许可法》第三十一条；《优化营商环境条例》第三十五条",
                           idempotency_key="demo-sharing-request-2")
