"""What every response carries and what throttles abuse, set up after the blueprints.

- Security headers through Flask-Talisman: a Content-Security-Policy without any inline script
  or style (templates link static/css and static/js files only), no framing, nosniff, a referrer
  policy that never hands a URL (secret links included) to another site, HSTS over HTTPS.
- `Cache-Control: no-store` on every response but static files and responses a view declares
  public (reference data): pages and downloads hold
  personal data, which must not stay in a shared computer's cache.
- Per-IP throttling (Flask-Limiter) of the forms that take a password or an e-mail address:
  login, forgotten password, new password through a link, invitation acceptance, and an
  administrator's resending of an invitation.
- HTTPS is forced only in production behind HTTPS (SESSION_COOKIE_SECURE), never in development
  or tests; /healthz stays reachable over plain HTTP for the load balancer.
"""
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REFERRER_POLICY = "same-origin"

# POSTs per client IP address: enough for a whole office behind one NAT address (20 people
# mistyping their password at 9 a.m.), far too few for guessing passwords or flooding mailboxes.
THROTTLED_FORMS = {
    "accounts.login": "20 per minute;200 per hour",
    "accounts.forgot_password": "10 per minute;50 per hour",
    "accounts.reset_password": "10 per minute;50 per hour",
    "accounts.accept_invitation": "10 per minute;50 per hour",
    # Each sends an e-mail (and the service refuses a resend of the same invitation within 10 minutes).
    "admin_users.resend_invitation": "10 per minute;50 per hour",
}
PLAIN_HTTP_ENDPOINTS = ("main.healthz",)


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.after_request(no_store)  # registered before Talisman's, so it runs after it
    https = app.config["CLAUSEMATCH_ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"]
    Talisman(app, force_https=https, content_security_policy=CONTENT_SECURITY_POLICY,
             frame_options="DENY", referrer_policy=REFERRER_POLICY,
             session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
             session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"])
    for endpoint in PLAIN_HTTP_ENDPOINTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint].talisman_view_options = {"force_https": False}
    throttle(app)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client address and scheme are theirs to tell."""
    count = app.config["TRUSTED_PROXIES"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def no_store(response):
    """Nothing is kept in a cache but static files and what a view declares public (the
    reference data of /referentiel: no personal data)."""
    if request.endpoint != "static" and not response.cache_control.public:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def throttle(app: Flask) -> Limiter | None:
    """One limiter per application (its own storage: memory, or RATELIMIT_STORAGE_URI such as
    redis://127.0.0.1:6379 in production); none when RATELIMIT_ENABLED is off (tests). With the
    storage unreachable it counts in memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, config.py)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, limits in THROTTLED_FORMS.items():
        app.view_functions[endpoint] = limiter.limit(limits, methods=["POST"])(app.view_functions[endpoint])
    return limiter
