"""积分: one ledger of points per member. Each entry applies a rule (data, with a yearly cap) to a recorded
fact of a domain app (a fulfilled pledge, confirmed volunteer hours, a zone contact, a co-building deed),
so every point links to its evidence; a fact that is reversed gets a reversing entry. The ledger is
append-only; MemberPoints keeps each member's yearly total for the rankings."""

from __future__ import annotations

from django.db import models


class Fact(models.TextChoices):
    PLEDGE = "pledge", "践诺（承诺完成）"
    VOLUNTEER = "volunteer", "志愿服务时长"
    ZONE_CONTACT = "zone_contact", "责任区联系住户"
    DEED = "deed", "共驻共建实事"
    STAR = "star", "服务标兵"


class PointRule(models.Model):
    fact = models.CharField("事实类型", max_length=20, choices=Fact.choices, unique=True)
    points = models.PositiveSmallIntegerField("分值", help_text="每件；志愿服务按每小时")
    yearly_cap = models.PositiveIntegerField("年度上限（0 为不设上限）", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_fact_display()}：{self.points} 分"


DEFAULT_RULES = [  # (fact, points, yearly cap)
    (Fact.PLEDGE, 10, 60),
    (Fact.VOLUNTEER, 2, 100),
    (Fact.ZONE_CONTACT, 1, 52),
    (Fact.DEED, 5, 30),
    (Fact.STAR, 20, 80),
]


class AppendOnly(Exception):
    pass


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("积分台账只能追加，不能修改")

    def delete(self):
        raise AppendOnly("积分台账只能追加，不能删除")


class PointEntry(models.Model):
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="point_entries")
    year = models.PositiveSmallIntegerField("年度")
    fact = models.CharField("事实类型", max_length=20, choices=Fact.choices)
    fact_id = models.PositiveBigIntegerField("事实编号")
    points = models.IntegerField("积分")
    label = models.CharField("依据", max_length=200)
    on = models.DateField("事实日期")
    reverses = models.OneToOneField("self", verbose_name="冲销", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    at = models.DateTimeField("记账时间", auto_now_add=True)

    objects = EntryQuerySet.as_manager()
    scope_path_field = "member__org__region__path"

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "year"], name="points_member_year"),
                   models.Index(fields=["fact", "fact_id"], name="points_fact")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.points:+d} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("积分台账只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("积分台账只能追加，不能删除")


class MemberPoints(models.Model):
    """A member's yearly total, kept by the ledger's service (the sum of the member's entries)."""

    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    total = models.IntegerField("积分", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "member__org__region__path"

    class Meta:
        verbose_name = "党员年度积分"
        verbose_name_plural = "党员年度积分"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="points_one_total")]
        indexes = [models.Index(fields=["year", "-total"], name="points_year_total")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.total}"
