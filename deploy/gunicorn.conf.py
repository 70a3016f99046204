"""gunicorn's settings for assetmap behind one reverse proxy on the same machine.

Run it from the checkout with ``make serve``, or as systemd's ``assetmap.service`` does:
``.venv/bin/gunicorn --config deploy/gunicorn.conf.py``. A command-line option overrides the
setting here of the same name (``--bind 127.0.0.1:8001``, ``--workers 3``).
"""

from __future__ import annotations

import os

wsgi_app = "assetmap:create_app()"

# Only the proxy in front talks to gunicorn; nothing outside reaches this port.
bind = ["127.0.0.1:8000"]
# gunicorn trusts X-Forwarded-Proto from these addresses alone: the local proxy.
forwarded_allow_ips = "127.0.0.1,::1"

# A process per core and one more, each with a few threads: a request mostly waits on the
# database or on mail sent after its answer. SQLite takes one writer at a time whatever the
# count; more than one process needs RATELIMIT_STORAGE_URI shared for limits to add up.
workers = len(os.sched_getaffinity(0)) + 1
worker_class = "gthread"
threads = 4

# An import from the web may read a 100 MB file; other answers take well under a second.
timeout = 120
# On stop or reload, workers finish what they are answering before they exit.
graceful_timeout = 30
# systemd stops and reloads gunicorn itself; no control socket in the service's home.
control_socket_disable = True
# The proxy keeps connections open to reuse; close idle ones a little after it would.
keepalive = 75

# One line a request to standard output, which systemd keeps in the journal: no client
# address (gunicorn sees only the proxy's) and no browser, only what was asked and answered.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '"%(r)s" %(s)s %(b)s %(L)ss'
