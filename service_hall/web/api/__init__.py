"""JSON API under /api/v1 (flask-smorest), authenticated by bearer tokens, CSRF-exempt because
session cookies are never accepted here."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from flask import Flask

from service_hall.extensions import api, csrf
from service_hall.web.access import PUBLIC, requires


def register_api(app: Flask) -> None:
    from service_hall.web.api.accounts import blp as accounts_blp
    from service_hall.web.api.bundles import blp as bundles_blp
    from service_hall.web.api.cases import blp as cases_blp
    from service_hall.web.api.certificates import blp as certificates_blp
    from service_hall.web.api.forms import blp as forms_blp
    from service_hall.web.api.notifications import blp as notifications_blp
    from service_hall.web.api.power_lists import blp as power_lists_blp
    from service_hall.web.api.search import blp as search_blp

    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blp in (accounts_blp, cases_blp, power_lists_blp, certificates_blp, search_blp, forms_blp,
                notifications_blp, bundles_blp):
        csrf.exempt(blp)
        with warnings.catch_warnings():
            # Some text fields of the power-list item have two patterns (one line, and the field's own);
            # OpenAPI shows the first, the published /power-lists/schema.json states both.
            warnings.filterwarnings("ignore", "More than one regex validator", UserWarning)
            api.register_blueprint(blp)
    # The OpenAPI document itself is public.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = requires(PUBLIC)(_plain(view))


def _plain(view: Callable[..., Any]) -> Callable[..., Any]:
    """flask-smorest registers bound methods, which cannot carry attributes; wrap them."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return wrapper
