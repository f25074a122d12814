"""Turn marshmallow's nested error messages into flat ``{path: message}`` maps.

Paths look like ``applicant_id``, ``rows[2].area`` or ``fields[3].options`` so that a web page can
put each message next to its input and an API client can locate it without walking a tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Errors that belong to the whole document rather than to one field: marshmallow's own key, which the
# web layer's error summary already knows.
FORM_KEY = "_schema"


def join_path(prefix: str, key: str | int) -> str:
    """Append a key (``.name``) or a list index (``[3]``) to a path."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def collect_messages(messages: Any, prefix: str = "", into: dict[str, list[str]] | None = None
                     ) -> dict[str, list[str]]:
    """Walk marshmallow's message tree and gather every message under its path."""
    out: dict[str, list[str]] = {} if into is None else into
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == FORM_KEY:
                collect_messages(value, prefix, out)
            else:
                collect_messages(value, join_path(prefix, key), out)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            collect_messages(value, prefix, out)
    else:
        bucket = out.setdefault(prefix or FORM_KEY, [])
        text = str(messages)
        if text not in bucket:
            bucket.append(text)
    return out


def join_messages(collected: Mapping[str, list[str]]) -> dict[str, str]:
    """One string per path; several messages for the same input are joined with a Chinese semicolon."""
    return {path: "；".join(msgs) for path, msgs in collected.items() if msgs}


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """Flatten a marshmallow ``ValidationError.messages`` value to ``{path: message}``."""
    return join_messages(collect_messages(messages, prefix))
