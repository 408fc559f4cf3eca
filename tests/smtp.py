"""A real SMTP server on loopback (aiosmtpd) for the delivery tests: it keeps what it accepted, refuses some
recipients for good (550), and answers a temporary 451 to a message a set number of times before taking it."""
from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()  # RCPT answered 550 (permanent)
        self.defer: dict[str, int] = {}  # address -> how many more DATA commands get 451 (temporary)
        self.tries: dict[str, list[float]] = {}  # address -> monotonic time of every DATA command for it

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.tries.setdefault(address, []).append(time.monotonic())
        for address in envelope.rcpt_tos:
            if self.defer.get(address, 0) > 0:
                self.defer[address] -= 1
                return "451 4.3.0 greylisted, try again later"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for rcpts, message in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(box: Mailbox, port: int | None = None) -> Controller:
    controller = Controller(box, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller
