"""gunicorn settings for the portal (docs/deployment.md): `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden by an environment variable (GUNICORN_*) or on the command line.
"""

import gc
import multiprocessing
import os

wsgi_app = "portal:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers with a few threads each: a page waits on PostgreSQL most of the time, so threads
# overlap those waits while the GIL is free; processes use the cores. 2 cores → 3 processes × 4 threads.
# Bigger boxes: (cores + 1) processes, 4 threads each, until the database's connections run out
# (every thread may hold one connection of the process's pool: docs/deployment.md).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"

# A page answers in tens of milliseconds; a plan PDF is made by the worker, not in a request. 30 s is a
# hang, not a slow page: the process is killed and replaced. Keep-alive short behind a proxy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Load the app once in the master and fork: less memory, a broken release fails before any worker
# starts. Safe here: create_app opens no database connection (the pool is created lazily per process).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"



def pre_fork(server, worker):
    """Freeze what the master loaded (modules, the app, its templates and mappers) before each fork: the
    garbage collector then leaves those objects alone in the workers. Without it a full collection walked
    them all and cost a page ~100 ms now and then (the p95 outliers of bench/scale.py); it also keeps the
    pages the workers share with the master from being copied (Python's gc.freeze documentation)."""
    gc.collect()
    gc.freeze()


# Recycle a worker now and then (slow memory growth in a long-lived process; jitter avoids all at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))

# The app itself believes X-Forwarded-* only from PORTAL_TRUSTED_PROXIES proxies (werkzeug ProxyFix in
# portal.headers). gunicorn's own forwarded-header handling is not used: leave forwarded_allow_ips at its
# default (127.0.0.1) and set PORTAL_TRUSTED_PROXIES=1 behind one TLS-terminating proxy.

# Access log without query strings (a search query holds a name): only method, path, status, time.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
