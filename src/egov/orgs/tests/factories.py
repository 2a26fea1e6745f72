"""Organizations made through ``egov.orgs.actions`` (so they are audited as in real use)."""

import factory

from egov.orgs.actions import organization_create
from egov.orgs.models import Organization
from egov.orgs.tests.standards import uscc


class OrganizationFactory(factory.Factory):
    """A department of the city (320200) with a valid USCC and a unique 机关代字.

    ``actor`` (default None, the platform) is passed to ``organization_create``.
    """

    class Meta:
        model = Organization

    actor = None
    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = Organization.Kind.DEPARTMENT
    division_code = "320200"
    parent = None
    doc_code = factory.Sequence(lambda n: f"锡测{n}")
    uscc = factory.Sequence(lambda n: uscc(f"11320200{n:09d}"))

    @classmethod
    def _create(cls, model_class, **kwargs):
        return organization_create(**kwargs)
