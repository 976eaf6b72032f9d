"""gunicorn settings for Coopol: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden with GUNICORN_CMD_ARGS or the matching COOPOL_* variable below.
"""

import multiprocessing
import os

bind = os.environ.get("COOPOL_BIND", "127.0.0.1:8000")
# A section's small box: 2 workers are plenty; the national servers: 2 × cores + 1.
workers = int(os.environ.get("COOPOL_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("COOPOL_THREADS", 2))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so that a slow leak never becomes an outage; not too often:
# a new worker costs about a second of CPU and starts with empty in-memory caches.
max_requests = 20000
max_requests_jitter = 2000
# Each worker loads the app itself (no preload_app), so that `systemctl reload` (HUP) starts
# workers with the new code; it warms up before its first request (templates compiled,
# catalogues read), so that no member's request pays for it.


def post_worker_init(worker):
    from coopol.ops import warm_up

    warm_up(worker.wsgi)

# Our app logs one line per request itself (method, path, status, time, request id).
accesslog = None
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("COOPOL_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "coopol"
