"""HTTP transport settings every response shares: no caching of pages, and the client's real address
and scheme behind a trusted reverse proxy.

- Every response except a static asset carries ``Cache-Control: no-store`` (and ``Pragma: no-cache``
  for old proxies): pages, PDFs and error pages may hold personal data, and a shared or back-button
  cache must not keep them. Static assets (``/static``) keep their normal caching.
- ``PORTAL_TRUSTED_PROXIES`` (default 0) is the number of reverse proxies in front of the app. With it
  set, ``X-Forwarded-For`` and ``X-Forwarded-Proto`` of that many hops are believed (werkzeug's
  ``ProxyFix``): rate limits count per client rather than per proxy, and a request that came in over
  HTTPS is known as such. Never set it higher than the real number of proxies: a client could then
  choose its own address.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.after_request(no_store)


def no_store(response: Response) -> Response:
    """Forbid caching of everything but static assets."""
    endpoint = request.endpoint or ""
    if endpoint != "static" and not endpoint.endswith(".static"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
