"""One input layer in front of every view: what no field of this service may hold is refused before a
view, a schema or the database sees it.

- NUL bytes (U+0000) anywhere in the path, query string, form fields, file names or JSON: PostgreSQL
  text cannot store them, and no legitimate input contains them → 400.
- Integers in URL paths outside a 32-bit signed id (``int`` converter) → 404, like an id that does
  not exist; integers in JSON bodies outside that range, and NaN/Infinity → 422, located.
- JSON nested deeper than :data:`MAX_JSON_DEPTH` (the standard parser would run out of stack) → 400.

Out-of-range numbers that still reach the database (query strings, form fields) are answered 422 by
the error handlers in service_hall/web/errors.py rather than failing there.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.routing import IntegerConverter, ValidationError

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_JSON_DEPTH = 32
NUL = "\x00"


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to the ids the database holds; larger numbers do not match (404)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(INT_MAX)):
            raise ValidationError()
        return super().to_python(value)


def _bad(message: str) -> BadRequest:
    error = BadRequest(message)
    error.data = {"message": message}  # type: ignore[attr-defined]  (read by service_hall/web/errors.py)
    return error


def _nul() -> BadRequest:
    return _bad("请求中含有不允许的字符（空字符），请检查后重新提交")


def _too_deep() -> BadRequest:
    return _bad(f"JSON 嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）")


def _has_nul(values: Any) -> bool:
    return any(NUL in k or any(NUL in v for v in values.getlist(k)) for k in values)


def _check_json(value: Any) -> None:
    """Walk without recursion: reject NUL, deep nesting and out-of-range numbers."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(item, dict):
            for key, child in item.items():
                if NUL in key:
                    raise _nul()
                stack.append((child, depth + 1, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, str):
            if NUL in item:
                raise _nul()
        elif isinstance(item, bool):
            continue
        elif not _in_range(item):
            raise _out_of_range(where)


def _in_range(number: Any) -> bool:
    if isinstance(number, int):
        return INT_MIN <= number <= INT_MAX
    if isinstance(number, float):
        return math.isfinite(number)
    return True


def _out_of_range(where: str) -> UnprocessableEntity:
    error = UnprocessableEntity("数值超出允许范围")
    error.data = {"message": "数值超出允许范围",  # type: ignore[attr-defined]
                  "errors": {where or "_schema": f"数值应在 {INT_MIN} 至 {INT_MAX} 之间"}}
    return error


class _Constant(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def check_request() -> None:
    """Raises BadRequest (400) or UnprocessableEntity (422) as described in the module docstring."""
    if NUL in request.path or _has_nul(request.args) or _has_nul(request.form):
        raise _nul()
    if any(NUL in (f.filename or "") for f in request.files.values()):
        raise _nul()
    if request.is_json or (request.path.startswith("/api/") and request.method in {"POST", "PUT", "PATCH"}):
        raw = request.get_data(cache=True)
        if not raw.strip():
            return
        try:
            parsed = json.loads(raw, parse_constant=_reject_constant)
        except RecursionError:
            raise _too_deep() from None
        except _Constant:
            raise _out_of_range("") from None  # NaN, Infinity
        except json.JSONDecodeError:
            return  # not JSON: the view's own parser answers with its located error
        except ValueError:  # e.g. an integer of thousands of digits
            if request.is_json:
                raise _bad("JSON 格式错误：数值过长") from None
            return
        _check_json(parsed)


def install(app: Flask) -> None:
    """Register the bounded ``int`` converter (call before any blueprint) and the request check."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(check_request)
