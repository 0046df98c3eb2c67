"""A real webhook receiver for tests: a threaded HTTP server on loopback that records what it receives and answers
with the statuses it is told, in order (then 204)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    # When set, the answer waits until the test sets this event (for at most 15 s).
    hold: threading.Event | None = None


class Receiver:
    def __init__(self):
        self.received: list[Received] = []
        self.replies: list[Reply] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(
                        Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
                    )
                    reply = receiver.replies.pop(0) if receiver.replies else Reply()
                time.sleep(reply.delay)
                if reply.hold is not None:
                    reply.hold.wait(15)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender stopped reading (the body cap) or gave up (its timeout)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, *replies: Reply | int) -> None:
        """Answer the next requests with these (a status or a full Reply), then 204."""
        with self.lock:
            self.replies.extend(reply if isinstance(reply, Reply) else Reply(status=reply) for reply in replies)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, reachable because private networks are allowed (as in development)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
