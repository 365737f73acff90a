"""What every request passes through before and after its view, whatever the page: the deployment's transport
(Secure cookies behind TLS, proxy headers trusted only when configured).

Each guard lives here once instead of in the views, so that a new page is covered without a line of its own.
"""
from __future__ import annotations

from flask import Flask

from engine.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Before any other hook: a refused request never reaches the database or a view."""
    _transport(app, settings)


# ---------------------------------------------------------------- transport

def _transport(app: Flask, settings: Settings) -> None:
    """Behind TLS (XIESHANG_SECURE_COOKIES) the session cookie is Secure and browsers are told to keep to HTTPS.
    X-Forwarded-* headers are believed only from as many proxies as XIESHANG_TRUSTED_PROXIES names: without it a
    client could claim any address (login throttling counts per address) or scheme."""
    if settings.secure_cookies:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")

        @app.after_request
        def _hsts(response):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops,  # type: ignore
                                x_prefix=hops)
