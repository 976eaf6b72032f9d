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
# Restart workers now and then so that a slow leak never becomes an outage; not too often,
# since a new worker starts with empty in-memory caches (rendered cards, dashboards).
max_requests = 20000
max_requests_jitter = 2000
# Load the app once, in the master, warmed up (templates compiled, catalogues read): workers
# start and restart by forking it, in milliseconds instead of a second of CPU each, and
# share its memory until they write to it.
preload_app = True


def when_ready(server):
    from coopol.ops import warm_up

    warm_up(server.app.wsgi())


def post_fork(server, worker):
    from coopol.ops import after_fork

    after_fork(server.app.wsgi())

# Our app logs one line per request itself (method, path, status, time, request id).
accesslog = None
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("COOPOL_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "coopol"
