"""Following a background job's page (docs/architecture.md, "Long work in the worker") the way a browser
does: reload while it refreshes itself, with a bound on the number of reloads."""

from __future__ import annotations

import time
from typing import Any

REFRESH = 'http-equiv="refresh"'


def follow_job(client: Any, url: str, *, reloads: int = 600) -> Any:
    """The job page's last answer: a redirect (an import's preview), an error page, or the page without
    its refresh (done or failed)."""
    for _ in range(reloads):
        resp = client.get(url)
        if resp.status_code != 200 or REFRESH not in resp.get_data(as_text=True):
            return resp
        time.sleep(0.05)
    raise AssertionError(f"the job at {url} did not finish")
