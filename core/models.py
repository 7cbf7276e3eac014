from django.db import models


class DemoStep(models.Model):
    """Which demo-data steps have been loaded, so `make run` loads each exactly once."""

    name = models.CharField("步骤", max_length=100, unique=True)
    loaded_at = models.DateTimeField("加载时间", auto_now_add=True)

    class Meta:
        verbose_name = "演示数据步骤"
        verbose_name_plural = "演示数据步骤"

    def __str__(self) -> str:
        return self.name


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", "全部无误才导入"
    GOOD_ROWS = "good", "导入无误的行，错误行导出修改"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "校验中"
    SAVING = "saving", "保存中"
    DONE = "done", "已完成"
    INVALID = "invalid", "有错误，未导入"
    REJECTED = "rejected", "文件无法导入"
    FAILED = "failed", "失败"


class ImportJob(models.Model):
    """One upload of an .xlsx through the imports app: its progress and its outcome."""

    FINISHED = {ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.REJECTED, ImportStatus.FAILED}

    kind = models.CharField("导入类型", max_length=50, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="发起人", on_delete=models.PROTECT, related_name="import_jobs"
    )
    scope = models.ForeignKey(
        "regions.Region", verbose_name="范围", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The uploaded workbook (private storage, random name), only while the job runs: deleted when it ends.
    file = models.FileField("文件", upload_to="imports/%Y/%m/", blank=True)
    # The error report (bad rows, personal cells masked), kept after the workbook is gone.
    report = models.FileField("错误报告", upload_to="imports/reports/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    mode = models.CharField("方式", max_length=10, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    created_rows = models.PositiveIntegerField("已导入条数", default=0)
    error_rows = models.PositiveIntegerField("错误行数", default=0)
    # [{row, column, value (masked), reason}] — never an unmasked personal value.
    errors = models.JSONField("错误明细", default=list, blank=True)
    bad_row_numbers = models.JSONField("错误行号", default=list, blank=True)
    message = models.TextField("结果说明", blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    scope_path_field = "scope__path"

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"], name="importjob_user_kind")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def drop_workbook(self) -> None:
        """Delete the uploaded workbook (it holds personal data in the clear): once the job has ended,
        whatever the outcome. Only the masked error report stays."""
        name = self.file.name
        if not name:
            return
        self.file = ""
        type(self).objects.filter(pk=self.pk).update(file="")
        try:
            self.file.storage.delete(name)
        except OSError:  # already gone; files_sweep deletes whatever is left
            pass

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))
