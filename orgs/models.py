from django.conf import settings
from django.db import models


class OrgLevel(models.TextChoices):
    """Where in the structure the organization sits (what it leads)."""

    DISTRICT = "district", "区（县）委"
    STREET = "street", "街道党工委（镇党委）"
    COMMUNITY = "community", "社区党组织"
    GRID = "grid", "网格党支部"
    COMPOUND = "compound", "小区党支部"
    BUILDING = "building", "楼栋党小组"
    RESIDENT_UNIT = "resident_unit", "驻区单位党组织"
    NEW_ECONOMIC = "new_economic", "非公有制企业党组织"
    NEW_SOCIAL = "new_social", "社会组织党组织"


class OrgForm(models.TextChoices):
    """The organizational form (党章: committee, general branch, branch, group)."""

    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


UNIT_LEVELS = {OrgLevel.RESIDENT_UNIT, OrgLevel.NEW_ECONOMIC, OrgLevel.NEW_SOCIAL}

# Which territory kind an organization of each territorial level is attached to.
LEVEL_REGION_KIND = {
    OrgLevel.DISTRICT: "district",
    OrgLevel.STREET: "street",
    OrgLevel.COMMUNITY: "community",
    OrgLevel.GRID: "grid",
    OrgLevel.COMPOUND: "compound",
    OrgLevel.BUILDING: "building",
}

# Which parent levels an organization of each level may have.
ALLOWED_PARENT_LEVELS = {
    OrgLevel.DISTRICT: {None},
    OrgLevel.STREET: {OrgLevel.DISTRICT},
    OrgLevel.COMMUNITY: {OrgLevel.STREET},
    OrgLevel.GRID: {OrgLevel.COMMUNITY},
    OrgLevel.COMPOUND: {OrgLevel.COMMUNITY, OrgLevel.GRID},
    OrgLevel.BUILDING: {OrgLevel.COMPOUND, OrgLevel.GRID},
    # Unit organizations belong to their own system: a parent is optional and may be anything.
    OrgLevel.RESIDENT_UNIT: None,
    OrgLevel.NEW_ECONOMIC: None,
    OrgLevel.NEW_SOCIAL: None,
}


class PartyOrg(models.Model):
    """A Party organization attached to the territory node where it sits."""

    name = models.CharField("名称", max_length=120)
    level = models.CharField("类别", max_length=20, choices=OrgLevel.choices, db_index=True)
    form = models.CharField("组织形式", max_length=20, choices=OrgForm.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="party_orgs"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    host_name = models.CharField("所在单位", max_length=120, blank=True, help_text="驻区单位或两新组织的名称")
    secretary_name = models.CharField("书记", max_length=50, blank=True)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="书记账号", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["region__path", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unique_org_name_per_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unit_org(self) -> bool:
        return self.level in UNIT_LEVELS
