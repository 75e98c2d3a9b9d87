"""Fetch one web page for import, as a careful client: the address is the user's, the server may be hostile.

- Only http and https, at the first hop and after every redirect (at most MAX_REDIRECTS).
- The host name is resolved first, and every address it resolves to must be public: loopback,
  private, link-local (169.254.169.254, the cloud metadata service), shared, multicast and reserved
  addresses are refused before any connection is made, unless the caller allows them. The
  connection then goes to the address that was checked, so a second DNS answer cannot change it.
  Numeric hosts in any form (`2130706433`, `0x7f.1`, `[::1]`) resolve to what they mean and are checked.
- A size cap on the body (Content-Length first, then while reading) and one deadline for the whole
  fetch, redirects included, enforced even against a server that sends a byte every few seconds.
- Every failure is one GeoError line naming the address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from geo.errors import FetchError

MAX_BYTES = 20 * 1024 * 1024
DEADLINE_SECONDS = 30.0
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "geo-news-geoparser/0.1 (Syria news geoparsing dashboard; research use)"  # every request geo makes
PRIVATE_HINT = (
    "to import from your own network, allow private addresses (geo import --allow-private, GEO_ALLOW_PRIVATE_URLS=1)"
)


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    body: bytes
    charset: str | None


def is_public(address: str) -> bool:
    """True for an address on the public internet; IPv4 inside IPv6 (::ffff:127.0.0.1) is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_address(url: str, host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError(
            f"{url}: cannot reach it ({host} does not resolve); check the address, or the connection if offline"
        ) from e
    addresses = [str(info[4][0]) for info in infos]  # an IPv4 or IPv6 socket address starts with a str
    if not allow_private:
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise FetchError(f"{url}: refused: {host} is a local or private address ({private[0]}); {PRIVATE_HINT}")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _abort(conn: http.client.HTTPConnection) -> None:
    """At the deadline: shut the socket, which wakes a read blocked on a trickling server."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def fetch(
    url: str,
    allow_private: bool = False,
    max_bytes: int = MAX_BYTES,
    deadline: float = DEADLINE_SECONDS,
    user_agent: str = USER_AGENT,
) -> Page:
    """GET `url` within the rules above; FetchError with a one-line reason otherwise."""
    first = url
    end = time.monotonic() + deadline
    for hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            how = f"redirected to {url}: " if hop else ""
            raise FetchError(f"{first}: {how}only http:// and https:// addresses are fetched")
        try:
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as e:
            raise FetchError(f"{first}: not a valid address ({e})") from e
        if not host:
            raise FetchError(f"{first}: no host name in {url}")
        address = _checked_address(url, host, port, allow_private)
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{first}: no answer within {deadline:g} s")
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        conn = kind(host, port, address, timeout=remaining)
        timer = threading.Timer(remaining, _abort, (conn,))
        timer.daemon = True
        try:
            timer.start()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", target, headers={"User-Agent": user_agent, "Accept-Encoding": "identity"})
            response = conn.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{first}: the server redirected without saying where")
                url = urljoin(url, location.strip())
                continue
            if response.status >= 400:
                raise FetchError(f"{first}: the server answered {response.status} {response.reason}")
            body = _read_capped(first, response, max_bytes, end, deadline)
            return Page(url, body, response.headers.get_content_charset())
        except FetchError:
            raise
        except (http.client.HTTPException, OSError, ValueError) as e:
            if time.monotonic() >= end - 0.05:
                raise FetchError(f"{first}: no complete answer within {deadline:g} s") from e
            if isinstance(e, http.client.RemoteDisconnected):
                raise FetchError(f"{first}: the server closed the connection without answering") from e
            if isinstance(e, (http.client.BadStatusLine, http.client.LineTooLong)):
                raise FetchError(f"{first}: the server did not answer in HTTP") from e
            reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or type(e).__name__
            raise FetchError(
                f"{first}: cannot reach it ({reason}); check the address, or the connection if offline"
            ) from e
        finally:
            timer.cancel()
            conn.close()
    raise FetchError(f"{first}: more than {MAX_REDIRECTS} redirects")


def _read_capped(url: str, response: http.client.HTTPResponse, max_bytes: int, end: float, deadline: float) -> bytes:
    limit = f"{max_bytes / 1024 / 1024:g} MB"
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url}: the page is {int(length) / 1024 / 1024:.1f} MB, over the {limit} limit")
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() >= end:
            raise FetchError(f"{url}: no complete answer within {deadline:g} s")
        chunk = response.read1(64 * 1024)
        if not chunk:
            if time.monotonic() >= end - 0.05:  # the deadline shut the socket: what came is not the page
                raise FetchError(f"{url}: no complete answer within {deadline:g} s")
            if length and length.strip().isdigit() and total < int(length):
                raise FetchError(f"{url}: the server closed the connection before the whole page arrived")
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{url}: the page is over the {limit} limit")
        chunks.append(chunk)
