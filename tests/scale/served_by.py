"""The app as gunicorn serves it, each response naming the process that made it (``X-Served-By``), so that
the scale-out test can tell its workers apart. Test support only."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from wsgi import app as flask_app


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    def named(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("X-Served-By", str(os.getpid()))], exc_info)

    return flask_app(environ, named)
