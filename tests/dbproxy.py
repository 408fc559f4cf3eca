"""A TCP forwarder in front of the test database, to cut it and bring it back as a database restart or a network
outage would: for the loops that must outlive an outage (the mail worker, the scheduler)."""
from __future__ import annotations

import socket
import threading

from sqlalchemy.engine import make_url

from tests.smtp import free_port


class Proxy:
    """A TCP forwarder in front of the database, to cut it (every connection dropped, new ones refused) and bring
    it back, as a database restart or network outage would."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
        except OSError:
            pass
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self.sockets.clear()


def app_behind(app_config_from, **config):
    """An app like `app_config_from` (its own engine and pool) whose database connections go through a new,
    started Proxy."""
    from marketplace.app import create_app

    url = make_url(app_config_from.config["SQLALCHEMY_DATABASE_URI"])
    proxy = Proxy((url.host, url.port or 5432))
    proxy.start()
    keep = ("TESTING", "MAIL_SERVER", "MAIL_PORT", "PUBLIC_BASE_URL", "DIGEST_HOUR")
    app = create_app({**{k: app_config_from.config[k] for k in keep if k in app_config_from.config},
                      "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port)
                      .render_as_string(hide_password=False), **config})
    return app, proxy
