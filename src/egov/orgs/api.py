"""Public organization API: the tree of organizations (no personal data)."""

from ninja import Router, Schema

from egov.orgs.selectors import organization_tree

router = Router(tags=["orgs"])


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    name_en: str
    kind: str
    parent_id: int | None
    division_code: str
    uscc: str | None
    doc_code: str | None


@router.get("/organizations", response=list[OrganizationOut], auth=None)
def list_organizations(request):
    """All active organizations, parents before children."""
    return [
        OrganizationOut(id=o.pk, name=o.name, short_name=o.short_name, name_en=o.name_en, kind=o.kind,
                        parent_id=o.parent_id, division_code=o.division.code, uscc=o.uscc, doc_code=o.doc_code)
        for o in organization_tree()
    ]
