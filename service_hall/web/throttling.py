"""Rate limits shared by several blueprints. A helper module, not a blueprint."""

from __future__ import annotations

from flask import current_app

from service_hall.extensions import limiter

DEFAULT_VERIFICATION_LIMIT = "30 per minute"


def verification_limit() -> str:
    """One budget per client for the page, the form and the JSON API together (``VERIFY_RATE_LIMIT``)."""
    return str(current_app.config.get("VERIFY_RATE_LIMIT") or DEFAULT_VERIFICATION_LIMIT)


# 证照核验 without login: the verification page, its form and the API share this one limit.
throttled = limiter.shared_limit(verification_limit, scope="certificate-verification")
