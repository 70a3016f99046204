"""Requests that come through reverse proxies: trust as many as ``PROXY_HOPS`` says.

Behind a proxy, the scheme, host and client address a request arrived with are in the
``X-Forwarded-*`` headers the proxy sets. Werkzeug's ``ProxyFix`` reads them from the nearest
``PROXY_HOPS`` proxies only, so a client cannot forge them; with 0 (the default) they are ignored.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Read the scheme, host and client address from the proxies, where there are any."""
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
