from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.i18n import pick
from egov.orgs.roles import Role


class Division(models.Model):
    """One GB/T 2260 administrative division code over one period of use (行政区划).

    A code can be reused: 320211 was 郊区 from 1983 to 2000 and has been 滨湖区 since 2000, so the
    table holds one row per (code, valid_from). ``valid_until`` is the year the code stopped being
    used for this name (None while in use); ``successors`` lists the codes that took the area over,
    ``;``-separated, a year in brackets when only part of it moved (``320214[2015]``).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture")
        COUNTY = "county", _("County")

    code = models.CharField(_("code"), max_length=6, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    province = models.CharField(max_length=50, blank=True)
    prefecture = models.CharField(max_length=50, blank=True)
    valid_from = models.PositiveSmallIntegerField(_("in use from (year)"))
    valid_until = models.PositiveSmallIntegerField(_("in use until (year)"), null=True, blank=True)
    successors = models.CharField(_("successor codes"), max_length=200, blank=True)

    class Meta:
        ordering = ["code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="division_code_period")]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def in_use(self) -> bool:
        return self.valid_until is None


class Organization(models.Model):
    """A government body (机关/部门/单位): the municipal government, a department, a district.

    ``doc_code`` is its 机关代字 for document numbers (锡政发); ``path`` is the materialized path of
    ids from the root (``"1/5/"``) so that a subtree is one prefix query.

    ``Kind.EXTERNAL`` is an organization outside the city (the State Council, a ministry, the
    province) known only as the issuer or sender of documents (来文单位): outside the tree (no parent,
    its path begins ``x``, no division, no members), never offered where the city's organizations
    are listed (``orgs.selectors.organization_tree``, the organization pickers). Recorded by
    ``orgs.actions.organization_external``.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("People's government")  # 人民政府
        DEPARTMENT = "department", _("Department")  # 工作部门
        DISTRICT = "district", _("District or county-level city")  # 区、县级市
        INSTITUTION = "institution", _("Public institution")  # 事业单位
        EXTERNAL = "external", _("Organization outside the city")  # 外部机关（来文单位）

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, null=True,
                                 blank=True)  # None only for Kind.EXTERNAL
    doc_code = models.CharField(_("document code (机关代字)"), max_length=20, unique=True, null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the active language: the English name on English pages when there is one."""
        return pick(self.name, self.name_en)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class Position(models.Model):
    """A post within an organization (职位), e.g. 科长, 窗口工作人员."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "title"], name="position_title_per_org")]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.organization} · {self.title}"


class Membership(models.Model):
    """A staff user's place in one organization: a position and the roles held there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.SET_NULL)
    is_primary = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class RoleAssignment(models.Model):
    """One role held through one membership."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="one_role_per_membership")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.membership}: {self.role}"
