"""A real SMTP server on loopback (aiosmtpd, in its own thread) that keeps what it receives."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any, cast

from aiosmtpd.controller import Controller

from tests.integration.processes import free_port


@dataclass
class Received:
    to: str
    subject: str
    key: str
    body: str


@dataclass
class Mailbox:
    """Messages the server accepted. ``hold_after``: the message after that many blocks at
    MAIL FROM (nothing accepted yet) until ``release`` is set; ``held`` says it is waiting."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    hold_after: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _controller: Controller | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.hold_after is not None and len(self.received) >= self.hold_after:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        self.received.append(
            Received(
                to=",".join(envelope.rcpt_tos),
                subject=str(make_header(decode_header(message["Subject"]))),
                key=str(message["X-Mou-Notification"]),
                body=cast(bytes, message.get_payload(decode=True)).decode(),
            )
        )
        return "250 Message accepted"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
