"""The demo deployment: named steps, each loaded once. Later issues append their steps."""

from __future__ import annotations

from importlib import import_module

from django.db import transaction

DEMO_PASSWORD = "Demo2026!"

# (step name, dotted path of a function taking no arguments), in load order.
DEMO_STEPS: list[tuple[str, str]] = [
    ("foundation", "regions.demo.load"),
]


def load_all(stdout=None) -> list[str]:
    from .models import DemoStep

    done = set(DemoStep.objects.values_list("name", flat=True))
    loaded = []
    for name, dotted in DEMO_STEPS:
        if name in done:
            continue
        module, func = dotted.rsplit(".", 1)
        with transaction.atomic():
            getattr(import_module(module), func)()
            DemoStep.objects.create(name=name)
        loaded.append(name)
        if stdout:
            stdout.write(f"演示数据已加载：{name}")
    return loaded
