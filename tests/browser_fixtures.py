"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # On Linux Chromium takes its UI locale (date inputs' 年/月/日 order) from LANGUAGE, not --lang;
        # the zh-CN resources come with Debian's chromium-l10n (scripts/system-deps.sh).
        env = {**os.environ, "LANGUAGE": "zh_CN"}
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, env=env)
        yield b
        b.close()


@pytest.fixture
def page_for(browser, live_server):
    """page_for(viewport=(w, h)) → a fresh page whose relative URLs go to the live server."""
    contexts = []
    csp_violations: list[str] = []

    def _page(viewport=(1280, 860)):
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", base_url=live_server.url)
        contexts.append(ctx)
        page = ctx.new_page()
        # Generous: a loaded 2-core machine (tests beside other work) answers a page in seconds, not ms.
        page.set_default_timeout(30_000)
        page.set_default_navigation_timeout(30_000)
        # Every browser test also proves the pages it walks run under the content security policy.
        page.on("console", lambda msg: csp_violations.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)
        return page

    yield _page
    for ctx in contexts:
        ctx.close()
    assert not csp_violations, "content security policy violations:\n" + "\n".join(csp_violations)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            page.screenshot(path=str(path), full_page=True)
            break
        except Error as exc:
            # Headless Chromium on a busy machine now and then answers "Unable to capture screenshot"
            # for a page that is fully there; the screenshot is the record, not the check: try again.
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def unread_count(page) -> int:
    """The header badge's unread count, once its htmx request has answered (the first render has none)."""
    page.wait_for_selector("#notif-badge[data-loaded]", state="attached")
    badge = page.locator("#notif-unread")
    return int(badge.inner_text()) if badge.count() else 0
