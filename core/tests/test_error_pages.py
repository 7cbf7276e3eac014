"""Error pages speak Chinese and offer a way back (the test client runs with DEBUG off)."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from core import errors

pytestmark = pytest.mark.django_db
ENGLISH = re.compile(r"\b(Forbidden|Not Found|Server Error|CSRF|Page not found|Bad Request)\b", re.I)


def _check(resp, status, title):
    html = resp.content.decode()
    assert resp.status_code == status
    assert f'id="error-title">{title}<' in html and 'id="error-actions"' in html
    assert not ENGLISH.search(html), ENGLISH.search(html)
    return html


def test_404_for_a_mistyped_address_signed_in_and_not(personas, client_for, client):
    html = _check(client_for(personas.grid_worker).get("/no-such-page/"), 404, "页面不存在")
    assert "返回工作台" in html
    html = _check(client.get("/portal/nothing-here/"), 404, "页面不存在")
    assert "返回居民服务首页" in html


def test_404_out_of_scope_is_the_same_chinese_page(personas, tree, client_for):
    _check(client_for(personas.west_secretary).get(f"/orgs/{tree.east1_org.pk}/"), 404, "页面不存在")


def test_403_for_a_liaison_opening_a_staff_link_names_the_reason(personas, client_for):
    resp = client_for(personas.liaison).get("/members/list/", HTTP_REFERER="http://testserver/meetings/unit/")
    html = _check(resp, 403, "没有权限")
    assert 'id="error-detail"' in html  # the view's own Chinese reason
    assert 'href="/meetings/unit/" class="btn" id="error-back"' in html


def test_an_english_exception_message_never_shows():
    request = RequestFactory().get("/x/")
    html = errors.permission_denied(request, PermissionError("You do not have permission")).content.decode()
    assert "You do not" not in html and "没有权限" in html


def test_a_referer_from_another_site_is_not_offered(personas, client_for):
    html = client_for(personas.liaison).get("/members/list/", HTTP_REFERER="https://evil.example/x").content.decode()
    assert "evil" not in html and 'id="error-back"' not in html


def test_csrf_failure_is_a_chinese_page_with_a_way_back(personas):
    c = Client(enforce_csrf_checks=True)
    c.force_login(personas.secretary)
    resp = c.post("/notifications/read-all/", HTTP_REFERER="http://testserver/notifications/")
    html = _check(resp, 403, "页面已过期")
    assert "本次提交未生效" in html and 'href="/notifications/"' in html


def test_500_is_chinese_and_every_handler_is_ours():
    resp = errors.server_error(RequestFactory().get("/demands/1/"))
    _check(resp, 500, "服务器出错了")
    resolver = get_resolver()
    for code in (400, 403, 404, 500):
        assert resolver.resolve_error_handler(code).__module__ == "core.errors"
