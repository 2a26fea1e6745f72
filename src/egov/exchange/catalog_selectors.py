"""Reads of the catalog for the staff pages and the public open-data pages: search with filters,
one resource, the classification tree 类-项-目-细目, and which providers a staff member may
publish for.

``open_only=True`` is the public view: resources not marked 开放 do not exist there, and of an
open resource only the items marked 开放 are shown or searched.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.exchange.models import InformationItem, InformationResource
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.roles import Role

# 类 and, for the basic catalogs, 项 of the 指南's classification (the rest are named by their code).
CLASS_NAMES = {"1": ("基础信息资源类", "Basic information resources"),
               "2": ("主题信息资源类", "Theme information resources"),
               "3": ("部门信息资源类", "Department information resources"),
               "1-01": ("人口基础信息", "Population"), "1-02": ("法人单位基础信息", "Legal entities"),
               "1-03": ("自然资源和空间地理基础信息", "Natural resources and geospatial data"),
               "1-04": ("社会信用基础信息", "Social credit"), "1-05": ("电子证照基础信息", "Electronic licences")}


def _items(open_only: bool) -> QuerySet[InformationItem]:
    items = InformationItem.objects.order_by("sort_order", "pk")
    return items.filter(is_open=True) if open_only else items


def resources_search(*, q: str = "", catalog: str = "", provider_code: str = "", sharing_type: str = "",
                     format: str = "", is_open: bool | None = None, classification: str = "",
                     open_only: bool = False) -> QuerySet[InformationResource]:
    """Resources matching every filter given, by code, each with its items (open ones only when
    ``open_only``).

    Args:
        q: words found in the resource's name (either language), code, provider, or one of its
            信息项's names; empty matches all.
        sharing_type: resources with at least one item of that 共享类型.
        classification: a 类-项-目-细目 prefix (``1-01`` matches ``1-01-001``).
    """
    resources = InformationResource.objects.all()
    if open_only:
        resources = resources.filter(is_open=True)
    q = q.strip()
    if q:
        item_match = Q(items__name__icontains=q) | Q(items__name_en__icontains=q)
        if open_only:
            item_match &= Q(items__is_open=True)
        match = (Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q)
                 | Q(provider_name__icontains=q) | Q(provider_name_en__icontains=q) | item_match)
        resources = resources.filter(pk__in=InformationResource.objects.filter(match).values("pk"))
    if catalog:
        resources = resources.filter(catalog=catalog)
    if provider_code:
        resources = resources.filter(provider_code=provider_code)
    if sharing_type:
        resources = resources.filter(pk__in=InformationItem.objects.filter(sharing_type=sharing_type)
                                     .values("resource_id"))
    if format:
        resources = resources.filter(format=format)
    if is_open is not None:
        resources = resources.filter(is_open=is_open)
    if classification:
        resources = resources.filter(Q(classification=classification)
                                     | Q(classification__startswith=f"{classification}-"))
    return resources.order_by("code").prefetch_related(Prefetch("items", queryset=_items(open_only)))


def resource_get(*, code: str, open_only: bool = False) -> InformationResource:
    """The resource ``code`` with its items (open ones only when ``open_only``).

    Raises:
        NotFound: no such resource, or (``open_only``) one not marked 开放.
    """
    resource = resources_search(open_only=open_only).filter(code=code).first()
    if resource is None:
        raise NotFound(_("No such information resource."), extra={"resource": code})
    return resource


def resources_related(*, resource: InformationResource, open_only: bool = False) -> list[InformationResource]:
    """The resources named in ``resource.related_codes`` that exist (and are open, if ``open_only``),
    in the order named."""
    found = {r.code: r for r in resources_search(open_only=open_only).filter(code__in=resource.related_codes)}
    return [found[code] for code in resource.related_codes if code in found]


def catalog_providers(*, open_only: bool = False) -> list[tuple[str, str, str]]:
    """``(code, name, English name)`` of every provider with a resource in the catalog, by name."""
    rows = resources_search(open_only=open_only).order_by().values_list("provider_code", "provider_name",
                                                                        "provider_name_en").distinct()
    return sorted(set(rows), key=lambda row: (row[1], row[0]))


@dataclass
class ClassNode:
    """One level of 类-项-目-细目: ``code`` (``1-01``), the names known for it, its children, and the
    resources filed exactly there."""

    code: str
    name: str = ""
    name_en: str = ""
    children: list["ClassNode"] = field(default_factory=list)
    resources: list[InformationResource] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Resources at this node and below it."""
        return len(self.resources) + sum(child.count for child in self.children)


def classification_tree(*, open_only: bool = False) -> list[ClassNode]:
    """The classification as a tree of the codes in use, each level named where the 指南 names it."""
    roots: dict[str, ClassNode] = {}
    nodes: dict[str, ClassNode] = {}
    for resource in resources_search(open_only=open_only).order_by("classification", "code"):
        parts = [part for part in resource.classification.split("-") if part]
        parent = None
        for depth in range(1, len(parts) + 1):
            code = "-".join(parts[:depth])
            node = nodes.get(code)
            if node is None:
                name, name_en = CLASS_NAMES.get(code, ("", ""))
                node = nodes[code] = ClassNode(code=code, name=name, name_en=name_en)
                if parent is None:
                    roots[code] = node
                else:
                    parent.children.append(node)
            parent = node
        if parent is not None:
            parent.resources.append(resource)
    return [roots[code] for code in sorted(roots)]


def providers_publishable_by(*, user) -> QuerySet[Organization]:
    """The organizations (with a unified social credit code) that ``user`` may publish resources for:
    those under an organization where the user holds the operator role (``orgs.permissions``).
    Deny by default: none for an inactive or anonymous user."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return Organization.objects.none()
    paths = list(RoleAssignment.objects.filter(membership__user=user, role=Role.OPERATOR)
                 .values_list("membership__organization__path", flat=True))
    if not paths:
        return Organization.objects.none()
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return (Organization.objects.filter(under, is_active=True, uscc__isnull=False).exclude(uscc="")
            .order_by("path"))
