"""Headers every answer of the API carries (an ASGI middleware around the whole app).

JSON and PNG answers get a Content-Security-Policy that allows nothing (no script, no
frame, no form): a browser that opens one renders it inert. The interactive docs (HTML,
only when the app is made with docs=True) load Swagger UI's scripts, so they keep their
own policy-free answer. Nothing the API answers is cacheable: answers carry tokens,
stock and sales.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from stockcore.interfaces.api.middleware import HttpMiddleware

ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
STRICT_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class SecurityHeaders(HttpMiddleware):
    """Adds the headers above to every HTTP answer that does not set them itself."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in ALWAYS if item[0] not in present)
                content_type = dict(headers).get(b"content-type", b"")
                if not content_type.startswith(b"text/html") and (
                    b"content-security-policy" not in present
                ):
                    headers.append((b"content-security-policy", STRICT_POLICY))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
