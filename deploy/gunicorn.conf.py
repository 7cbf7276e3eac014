"""gunicorn settings of a dangjian node: `gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`.

Everything can be changed per node through the environment file (/etc/dangjian/env) or the unit:
WEB_CONCURRENCY (workers; above 1 the application requires REDIS_URL), GUNICORN_BIND, GUNICORN_THREADS,
GUNICORN_TIMEOUT. On a 2-core machine: 4 workers x 2 threads.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
os.environ.setdefault("WEB_CONCURRENCY", str(workers))  # the application checks the cache against it
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Large imports run in the task worker, not in a request: 60 s is a stuck request, not a slow one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter): memory growth never piles up.
max_requests = 2000
max_requests_jitter = 200
# The proxy sets X-Forwarded-*; the application reads them only from TRUSTED_PROXIES (config/deploy.py).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr (journald, docker logs). The access log carries no query strings (a search box
# may hold a name or a phone number) and the response's request id, as the application's log lines do.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
preload_app = False
