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
