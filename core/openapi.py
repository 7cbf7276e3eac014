"""The API's OpenAPI schema keeps every promise the server keeps (api/tests/test_schema_contract.py runs
schemathesis against it): the error answers every operation can give are documented with their Chinese
bodies, and times of day are documented as the "HH:MM" the API sends.

- 400: a query filter, a page size or a request body the server refuses, field by field;
- 401: no token, or a token that is unknown, expired or whose account is locked (with `WWW-Authenticate`);
- 403: signed in, but the role may not use this operation (or a pending step such as a password change);
- 404: an object outside the caller's data scope (or that does not exist), or a page past the last one.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers

ERROR = {
    "type": "object",
    "description": "错误说明（中文）",
    "properties": {"detail": {"type": "string", "description": "错误原因，例如“身份认证信息未提供。”"}},
    "required": ["detail"],
}
# Field errors ({"字段": ["原因", ...]}), or one {"detail": "原因"} for the whole request.
VALIDATION_ERROR = {
    "type": "object",
    "description": "请求有误：按字段列出原因（中文），或用 detail 说明整个请求的问题",
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    },
    "example": {"region": ["选择一个有效的选项。该选择不在可用的选项中。"]},
}
ERRORS = {
    "400": ("ValidationError", VALIDATION_ERROR, "请求参数或内容有误（筛选条件、分页参数、请求体）"),
    "401": ("Error", ERROR, "未认证：缺少令牌，或令牌无效、已过期、账户已锁定"),
    "403": ("Error", ERROR, "无权限：当前角色不能使用该接口"),
    "404": ("Error", ERROR, "未找到：对象不存在或不在您的数据范围内，或页码超出范围"),
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "认证方式：Token（在 Authorization 头中发送 `Token <令牌>`）",
        "schema": {"type": "string", "example": 'Token realm="api"'},
        "required": True,
    }
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error answers each operation can give to what drf-spectacular documents."""

    def _error_response(self, code: str) -> dict:
        name, schema, description = ERRORS[code]
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        response = {"description": description, "content": {"application/json": {"schema": component.ref}}}
        if code == "401":
            response["headers"] = WWW_AUTHENTICATE
        return response

    def _signed_in_only(self) -> bool:
        return not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = []
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if has_query or self.method in ("POST", "PUT", "PATCH"):
            codes.append("400")
        if self._signed_in_only():
            codes += ["401", "403"]
        if "{" in self.path or (self.method == "GET" and self._is_list_view() and self._get_paginator()):
            codes.append("404")
        for code in codes:
            responses.setdefault(code, self._error_response(code))
        return responses


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "09:30"})
class ClockTimeField(serializers.TimeField):
    """A time of day as "HH:MM" (OpenAPI's `format: time` would promise an RFC 3339 time with an offset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)
