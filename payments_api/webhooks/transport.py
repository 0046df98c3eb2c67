"""Where a webhook may go and how it gets there, against server-side request forgery.

A URL's host is resolved and every address checked, at registration and again at each send (a name can be pointed
elsewhere after it was registered); the request then connects to an address that was checked, with the URL's host
in the Host header and the TLS server name, follows no redirect, gives up after WEBHOOK_TIMEOUT seconds and reads at
most WEBHOOK_RESPONSE_MAX_BYTES of the answer.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Cloud metadata services: never a webhook target, whatever the settings (AWS's IPv6 one is not link-local).
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """The URL may not receive webhooks: its scheme, or an address its host resolves to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


def private_networks_allowed() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS)


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` may not be a webhook target, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES or address.is_link_local:
        return "a link-local or cloud metadata address"
    if address.is_multicast:
        return "a multicast address"
    if private_networks_allowed():
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_private or address.is_reserved or address.is_unspecified or not address.is_global:
        return "a private or reserved address"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


def url_refusal(url: str) -> str | None:
    """What is wrong with `url` before any lookup: its scheme, credentials or host."""
    parts = urlsplit(url)
    if parts.scheme == "http" and not (settings.DEBUG or private_networks_allowed()):
        return "The URL must use https://."
    if parts.scheme not in ("http", "https"):
        return "The URL must use https://."
    if parts.username is not None or parts.password is not None:
        return "The URL may not carry credentials."
    if not parts.hostname:
        return "The URL has no host."
    try:
        parts.port
    except ValueError:
        return "The URL's port is not valid."
    return None


def target_check(url: str) -> Target:
    """Resolve `url`'s host and check every address; raises UnsafeTarget with the reason."""
    if reason := url_refusal(url):
        raise UnsafeTarget(reason)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise UnsafeTarget(f"The host {host} does not resolve.") from exc
    if not addresses:
        raise UnsafeTarget(f"The host {host} does not resolve.")
    for address in addresses:
        if reason := address_refusal(address):
            raise UnsafeTarget(f"The host {host} resolves to {address}, {reason}.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address, whatever the host name resolves to by now; Host stays the URL's host."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self):
        super().connect()
        # The certificate is checked against the URL's host name, which is also the SNI sent.
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def post(*, target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `target` at its first reachable checked address. Redirects are answers, not followed.

    Raises OSError (http.client.HTTPException included) on a connection error or when WEBHOOK_TIMEOUT passes.
    """
    timeout = float(settings.WEBHOOK_TIMEOUT)
    deadline = time.monotonic() + timeout
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    last_error: OSError = OSError(f"No address of {target.host} could be reached.")
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"No answer within {timeout:g} s.")
        connection = connection_class(target.host, target.port, address=address, timeout=remaining)
        try:
            connection.connect()
        except OSError as exc:
            connection.close()
            last_error = exc
            continue
        try:
            return _exchange(connection, target=target, body=body, headers=headers, deadline=deadline)
        finally:
            connection.close()
    raise last_error


def _exchange(connection, *, target: Target, body: bytes, headers: dict[str, str], deadline: float) -> Answer:
    sock = connection.sock  # http.client lets go of it once the response says the connection will close
    connection.request("POST", target.path, body=body, headers=headers)
    response = connection.getresponse()
    limit = int(settings.WEBHOOK_RESPONSE_MAX_BYTES)
    received = b""
    while len(received) < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"No answer within {settings.WEBHOOK_TIMEOUT:g} s.")
        sock.settimeout(remaining)
        chunk = response.read1(limit - len(received))
        if not chunk:
            break
        received += chunk
    return Answer(status=response.status, headers={k.lower(): v for k, v in response.getheaders()}, body=received)
