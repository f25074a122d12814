"""Configuration from environment variables (documented in README.md).

No secret has a public default: SECRET_KEY comes from the environment or is generated once into
the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _days(name: str) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValueError(f"{name} 应为天数（非负整数），现为 {raw!r}")
    return int(raw)


def _secret_key(instance_path: Path, env_name: str = "SECRET_KEY", filename: str = "secret_key") -> str:
    env = os.environ.get(env_name)
    if env:
        return env
    path = instance_path / filename
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL so that two workers starting at once agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: Path) -> dict[str, object]:
    """Build the Flask config mapping from the environment."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'service_hall.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    redis_url = os.environ.get("REDIS_URL") or None
    file_store = Path(os.environ.get("FILE_STORE_PATH") or instance_path / "files")
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    engine_options: dict[str, object] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        # Several threads of the dev server share the file; wait for locks instead of failing.
        engine_options = {"connect_args": {"timeout": 30}}
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Keys the audit chain (HMAC); kept outside the database so that whoever can write the table
        # cannot recompute the chain. Back it up with the signing keys (README.md).
        "AUDIT_KEY": _secret_key(instance_path, "AUDIT_KEY", "audit_key"),
        # Seals the secrets a message carries (service_hall/notifications/sealing.py; docs/notifications.md).
        "MESSAGE_KEY": _secret_key(instance_path, "MESSAGE_KEY", "message_key"),
        "AUDIT_CHECKPOINT_PATH": os.environ.get("AUDIT_CHECKPOINT_PATH") or str(instance_path / "audit-checkpoints"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "REDIS_URL": redis_url,
        # The deadline sweep: "background" (a thread per process, or RQ with REDIS_URL) or "request"
        # (on staff traffic, for a pinned clock); unset: background, request under TESTING. See
        # service_hall/web/sweeper.py.
        "SWEEP_MODE": os.environ.get("SWEEP_MODE") if os.environ.get("SWEEP_MODE") in {"background", "request"}
        else None,
        # Where uploaded and generated files live: "local" (the directory FILE_STORE_PATH, a volume every
        # app server shares) or "postgres" (large objects in the application's database). README.md, "Scale-out".
        "FILE_STORE": os.environ.get("FILE_STORE") or "local",
        "FILE_STORE_PATH": str(file_store),
        # Hours a finished background job's file stays downloadable (docs/architecture.md, "Long work in the worker").
        "JOB_KEEP_HOURS": int(os.environ.get("JOB_KEEP_HOURS", "24")),
        "SIGNING_KEY_PATH": os.environ.get("SIGNING_KEY_PATH") or str(instance_path / "signing"),
        "PUBLIC_BASE_URL": public_base_url,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_TITLE": "乡镇赋权事项一站式办理 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_AS_ASCII": False,
        # 好差评: working days a town has to call back after a poor rating (整改期限).
        "RECTIFICATION_DAYS": int(os.environ.get("RECTIFICATION_DAYS", "5")),
        # 告知承诺制: working days within which an approval on pledge is checked (事后核查).
        "FOLLOW_UP_CHECK_DAYS": int(os.environ.get("FOLLOW_UP_CHECK_DAYS", "20")),
        # signed: certificates are rendered and signed inside the decision; deferred: on first download.
        "DOCUMENTS": os.environ.get("DOCUMENTS", "signed"),
        # Notifications (docs/notifications.md): the inbox is always on; email and SMS when configured.
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "NOTIFY_FROM": os.environ.get("NOTIFY_FROM") or "noreply@localhost",
        "NOTIFY_FROM_NAME": os.environ.get("NOTIFY_FROM_NAME") or "便民服务中心",
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_KEY": os.environ.get("SMS_GATEWAY_KEY") or None,
        "SMS_SIGNATURE": os.environ.get("SMS_SIGNATURE") or "清溪县政务服务",  # the 【签名】 of every SMS
        # 电子送达: days after a notice reaches the applicant's inbox at which, still unopened, it is deemed
        # delivered (the sweep records it); 0 or unset: only an opening delivers (docs/notifications.md).
        "ELECTRONIC_DELIVERY_DEEMED_DAYS": _days("ELECTRONIC_DELIVERY_DEEMED_DAYS"),
        # Webhooks to private or loopback addresses are refused unless this is set (tests, closed networks).
        "WEBHOOK_ALLOW_PRIVATE": _bool("WEBHOOK_ALLOW_PRIVATE", False),
    }
