"""Loopback servers the notification tests deliver to: a real SMTP server (aiosmtpd) and a real HTTP
server standing in for the SMS gateway and webhook receivers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from service_hall.web.notify import wait_for_background


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    envelopes: list[Any] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "550 mailbox unavailable"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(app) -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["NOTIFY_FROM"] = "noreply@qingxi.gov.cn"
    try:
        yield box, port
    finally:
        wait_for_background()
        app.config["SMTP_URL"] = None
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """An HTTP server that records every POST and answers from a script of status codes (then 200).
    Like a real SMS gateway it counts a message once per Idempotency-Key."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: list[int] = []
        self.redirect_to: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.script.pop(0) if receiver.script else 200
                if receiver.redirect_to:
                    status = 302
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", receiver.redirect_to or "/")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def delivered(self) -> list[Received]:
        """The distinct messages (one per Idempotency-Key) that were answered 2xx."""
        seen: dict[str, Received] = {}
        for r in self.requests:
            seen.setdefault(r.headers.get("Idempotency-Key", ""), r)
        return list(seen.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    try:
        yield found
    finally:
        wait_for_background()
        found.close()


@pytest.fixture
def sms_gateway(app, receiver) -> Iterator[Receiver]:
    app.config.update(SMS_GATEWAY_URL=receiver.url("/sms"), SMS_GATEWAY_KEY="gateway-test-key",
                      SMS_SIGNATURE="清溪县政务服务")
    try:
        yield receiver
    finally:
        wait_for_background()
        app.config.update(SMS_GATEWAY_URL=None, SMS_GATEWAY_KEY=None)


@pytest.fixture
def allow_private(app) -> Iterator[None]:
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    try:
        yield
    finally:
        wait_for_background()
        app.config["WEBHOOK_ALLOW_PRIVATE"] = False


@pytest.fixture(autouse=True)
def _settle(request) -> Iterator[None]:
    """No delivery thread may outlive its test (the next test empties the tables)."""
    yield
    wait_for_background()
