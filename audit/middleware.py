"""Remember the client address of the current request for audit entries."""

from contextvars import ContextVar

from core.clientip import client_ip

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)

__all__ = ["RequestContextMiddleware", "client_ip", "current_ip"]


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
