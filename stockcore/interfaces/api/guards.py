"""What the API checks about a request before FastAPI parses it, and whose address it is.

* `RequestGuard` (ASGI middleware): a body over the configured size is a 413 before any
  of it is parsed; a control character (NUL...) in the path or the query string is a 422
  naming the parameter, so no such text reaches a use case or the database.
* `client_address`: the TCP peer, or, only when the peer is a configured trusted proxy,
  the client that proxy reports in X-Forwarded-For. No proxy is trusted by default, so a
  client cannot pick its own address (and dodge the login throttle) with that header.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from stockcore.domain import InvalidValue, parse_whole_number, text_problem
from stockcore.interfaces.api.middleware import HttpMiddleware

TRUSTED_PROXIES_ENV: Final = "STOCKCORE_TRUSTED_PROXIES"
MAX_BODY_BYTES_ENV: Final = "STOCKCORE_API_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024  # 1 MiB: far above any request body of the API

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- Settings -----------------------------------------------------------------------------------


def parse_trusted_proxies(values: str | Iterable[str] | None) -> tuple[Network, ...]:
    """Addresses or networks (10.0.0.5, 10.0.0.0/8, ::1), as a list or comma-separated."""
    if values is None:
        return ()
    items = values.split(",") if isinstance(values, str) else list(values)
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise InvalidValue(
                "trusted proxy", item, "is not an IP address or network like 10.0.0.0/8"
            ) from None
    return tuple(networks)


def trusted_proxies_from_env() -> tuple[Network, ...]:
    """$STOCKCORE_TRUSTED_PROXIES (comma-separated); none when unset."""
    return parse_trusted_proxies(os.environ.get(TRUSTED_PROXIES_ENV))


def max_body_bytes_from_env() -> int:
    """$STOCKCORE_API_MAX_BODY_BYTES, else 1 MiB."""
    value = os.environ.get(MAX_BODY_BYTES_ENV)
    if value is None or not value.strip():
        return DEFAULT_MAX_BODY_BYTES
    return parse_max_body_bytes(value)


def parse_max_body_bytes(value: object) -> int:
    return parse_whole_number(value, "largest request body (bytes)", minimum=1, maximum=2**31)


# --- Whose request ------------------------------------------------------------------------------


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    nearest address in X-Forwarded-For that is not itself a trusted proxy (entries further
    left were written by the client and prove nothing)."""
    if peer is None or not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a proxy of ours would have written an address: not to be trusted
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0]


# --- The guard ----------------------------------------------------------------------------------


async def _answer(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _control_characters(scope: Scope) -> dict[str, Any] | None:
    """A 422 body naming the first path or query parameter holding a control character."""
    problem = text_problem(scope.get("path", ""))
    if problem is not None:
        return {"detail": [{"loc": ["path"], "msg": problem, "type": "control_character"}]}
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8"):
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            return {
                "detail": [{"loc": ["query", name], "msg": problem, "type": "control_character"}]
            }
    return None


class RequestGuard(HttpMiddleware):
    """ASGI middleware: 413 for a body over `max_body_bytes` (by its Content-Length, or
    counted as it arrives), 422 for a control character in the path or the query."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    def _too_large(self) -> dict[str, Any]:
        return {"detail": f"the request body is larger than {self.max_body_bytes:,} bytes"}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = _control_characters(scope)
        if refused is not None:
            await _answer(send, 422, refused)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _answer(send, 413, self._too_large())
            return
        # Read the body here, counting (a chunked body declares no length), then hand it on.
        messages = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await _answer(send, 413, self._too_large())
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
