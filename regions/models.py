from django.db import models

from core import treepaths as paths


class RegionKind(models.TextChoices):
    DISTRICT = "district", "区（县）"
    STREET = "street", "街道（镇）"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"


# Which kinds may hang below which (None: a root). Rules of the five-level structure.
ALLOWED_CHILDREN: dict[str | None, set[str]] = {
    None: {RegionKind.DISTRICT},
    RegionKind.DISTRICT: {RegionKind.STREET},
    RegionKind.STREET: {RegionKind.COMMUNITY},
    RegionKind.COMMUNITY: {RegionKind.GRID},
    RegionKind.GRID: {RegionKind.COMPOUND, RegionKind.BUILDING},
    RegionKind.COMPOUND: {RegionKind.BUILDING},
    RegionKind.BUILDING: set(),
}


class RegionQuerySet(models.QuerySet):
    def under(self, path: str, *, include_self: bool = True) -> "RegionQuerySet":
        return self.filter(paths.under("path", path, include_self=include_self))

    def under_any(self, path_list: list[str]) -> "RegionQuerySet":
        return self.filter(paths.under_any("path", path_list)) if path_list else self.none()


class Region(models.Model):
    """A node of the territory tree: district → street/town → community → grid → compound → building."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("层级", max_length=16, choices=RegionKind.choices, db_index=True)
    town = models.BooleanField("建制镇", default=False, help_text="街道层级节点是镇而不是街道办事处时勾选")
    division_code = models.CharField(
        "区划代码", max_length=12, blank=True, help_text="GB/T 2260 行政区划代码（区县级适用）"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialized path (see core/treepaths.py); maintained by the services, never edited by hand.
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("深度", default=1, editable=False)
    sort_order = models.IntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RegionQuerySet.as_manager()

    # The data-scope mechanism reads this to find a model's position in the tree.
    scope_path_field = "path"

    class Meta:
        verbose_name = "区划节点"
        verbose_name_plural = "区划节点"
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"], name="region_kind_path")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A new node needs its id before its path exists: insert with a placeholder, then set it.
        if not self.path:
            import uuid

            from django.db import transaction

            with transaction.atomic():
                self.path = "new-" + uuid.uuid4().hex
                super().save(*args, **kwargs)
                parent_path = self.parent.path if self.parent_id else ""
                self.path = paths.child_path(parent_path, self.pk)
                self.depth = paths.depth_of(self.path)
                type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            return
        super().save(*args, **kwargs)

    @property
    def kind_label(self) -> str:
        if self.kind == RegionKind.STREET:
            return "镇" if self.town else "街道"
        return self.get_kind_display()

    def ancestors(self) -> models.QuerySet["Region"]:
        return Region.objects.filter(id__in=paths.ancestor_ids(self.path)).order_by("path")

    def descendants(self, include_self: bool = False) -> RegionQuerySet:
        return Region.objects.under(self.path, include_self=include_self)

    def is_under(self, other: "Region") -> bool:
        return paths.is_under(self.path, other.path)
