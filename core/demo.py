"""The demo deployment: named steps, each loaded once, so a later release adds its own steps to an
existing demo database. Each app may declare in its `demo.py` a list
`DEMO_STEPS = [(step name, function taking no arguments), ...]`; steps run in INSTALLED_APPS order."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction

DEMO_PASSWORD = "Demo2026!"


def demo_steps() -> list[tuple[str, object]]:
    steps = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is None:
            continue
        steps += getattr(import_module(f"{config.name}.demo"), "DEMO_STEPS", [])
    return steps


def load_all(stdout=None) -> list[str]:
    from django.contrib.auth import get_user_model

    from .models import DemoStep

    User = get_user_model()  # noqa: N806  (core sits below accounts: no import of it)

    done = set(DemoStep.objects.values_list("name", flat=True))
    loaded = []
    last_user = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for name, func in demo_steps():
        if name in done:
            continue
        with transaction.atomic():
            func()
            DemoStep.objects.create(name=name)
        loaded.append(name)
        if stdout:
            stdout.write(f"演示数据已加载：{name}")
    # Every account the demo creates (README's, the grid workers', …) is a demo account: exempt from the
    # forced password change and the two-factor enrolment. Accounts created later are ordinary.
    User.objects.filter(pk__gt=last_user).update(is_demo=True)
    return loaded
