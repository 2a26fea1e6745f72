"""Reads of divisions and organizations."""

from django.db.models import QuerySet

from egov.orgs.models import Division, Membership, Organization


def division_history(*, code: str) -> list[Division]:
    """Every period of use of ``code``, oldest first (empty when it was never a GB/T 2260 code)."""
    return list(Division.objects.filter(code=code).order_by("valid_from"))


def division_current(*, code: str) -> Division | None:
    """The row of ``code`` in use today, or None when the code is retired or unknown."""
    return Division.objects.filter(code=code, valid_until__isnull=True).first()


def division_successors(*, code: str) -> list[Division]:
    """The divisions in use today that took over a retired ``code``, following successor chains.

    ``320202`` (崇安区, retired 2015) gives ``[320213 梁溪区]``. A code in use gives itself.
    Partial transfers (``320214[2015]``) are not followed: only the successors of a retired code.
    """
    current = division_current(code=code)
    if current:
        return [current]
    seen: set[str] = set()
    result: dict[str, Division] = {}
    pending = [code]
    while pending:
        item = pending.pop()
        if item in seen:
            continue
        seen.add(item)
        row = Division.objects.filter(code=item).order_by("-valid_from").first()
        if row is None:
            continue
        if row.valid_until is None and item != code:
            result[item] = row
            continue
        pending.extend(part.split("[")[0] for part in row.successors.split(";") if part and "[" not in part)
    return sorted(result.values(), key=lambda d: d.code)


def organization_tree() -> QuerySet[Organization]:
    """All active organizations of the city in tree order (a parent before its children); organizations
    outside the city (``Kind.EXTERNAL``) are not in the tree."""
    return (Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.EXTERNAL)
            .select_related("division", "parent").order_by("path"))


def organization_subtree(*, organization: Organization) -> QuerySet[Organization]:
    """``organization`` and everything under it, in tree order."""
    return Organization.objects.filter(path__startswith=organization.path).order_by("path")


def memberships_of(*, user) -> QuerySet[Membership]:
    """The memberships of ``user`` with their organization, position and roles loaded."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organization", "position")
        .prefetch_related("roles")
        .order_by("-is_primary", "organization__path")
    )
