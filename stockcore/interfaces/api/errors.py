"""Every failure as a JSON answer, mapped once for the whole API.

A use case's refusal (a StockcoreError) gets the status of its category; a malformed
request gets FastAPI's field-level 422 without the input echoed; a database that cannot
be reached is a 503; anything else is a bug of ours: one log line here (its type and
where it was raised, never its message or a traceback, which may hold SQL parameters
and the request's data), a bare 500 there.
"""

import logging
import traceback
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, StatementError
from starlette.types import Message, Receive, Scope, Send

from stockcore import domain
from stockcore.domain import InsufficientStock, InvalidValue, StockcoreError
from stockcore.forecasting.lease import RefreshRunning
from stockcore.interfaces.api.middleware import HttpMiddleware
from stockcore.interfaces.api.schemas.common import ErrorOut

_log = logging.getLogger(__name__)

# Each category of refusal, once: the first that matches gives the status. A bare
# StockcoreError (an operational refusal, e.g. a file that cannot be written) is a 400.
STATUS_BY_CATEGORY: tuple[tuple[type[StockcoreError], int], ...] = (
    (domain.Invalid, 422),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Forbidden, 403),
    (domain.Unauthenticated, 401),
    (domain.Throttled, 429),
)

# The refusals every endpoint behind the login may answer, for the OpenAPI document.
SIGNED_IN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid token"},
    403: {"model": ErrorOut, "description": "the role may not do this"},
}


def _field_error(field: str, message: str, kind: str = "invalid_value") -> dict[str, Any]:
    return {"loc": [field], "msg": message, "type": kind}


def refusal_response(refusal: StockcoreError) -> JSONResponse:
    """A use case's refusal as an HTTP answer: its message, the right 4xx, never a 500."""
    message = str(refusal)
    headers: dict[str, str] = {}
    body: dict[str, Any] = {"detail": message}
    status = next(
        (code for category, code in STATUS_BY_CATEGORY if isinstance(refusal, category)), 400
    )
    if isinstance(refusal, InvalidValue):
        body = {"detail": [_field_error(refusal.field, message)]}
    elif isinstance(refusal, InsufficientStock):
        body |= {
            "product_id": refusal.product_id,
            "requested": refusal.requested,
            "on_hand": refusal.on_hand,
        }
    elif isinstance(refusal, RefreshRunning):
        running = refusal.running
        body |= {
            "running": {
                "started_at": running.started_at.isoformat() + "Z",
                "done": running.done,
                "total": running.total,
            }
        }
    elif isinstance(refusal, domain.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(refusal, domain.Throttled):
        headers["Retry-After"] = str(refusal.retry_after_seconds)
    return JSONResponse(body, status_code=status, headers=headers)


async def on_refusal(_request: Request, refusal: Exception) -> JSONResponse:
    assert isinstance(refusal, StockcoreError)
    return refusal_response(refusal)


async def on_validation(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's field-level 422, without echoing the input (it may be a password)."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def on_database_down(_request: Request, failure: Exception) -> JSONResponse:
    _log.error("database unavailable: %s", str(failure).splitlines()[0] if str(failure) else "")
    return JSONResponse({"detail": "the database is unavailable; try again"}, status_code=503)


_PACKAGE = Path(__file__).resolve().parents[2]


def describe_bug(bug: BaseException) -> str:
    """A bug in one line: its type (and the database driver's error under it), where in
    stockcore it was raised, and for a database statement the SQL without its values.
    Never the message: it may repeat the request's data or the statement's parameters."""
    kind = type(bug).__name__
    underlying = getattr(bug, "orig", None)
    if underlying is not None:
        kind += f" ({type(underlying).__module__}.{type(underlying).__name__})"
    frames = traceback.extract_tb(bug.__traceback__)
    ours = [frame for frame in frames if frame.filename.startswith(str(_PACKAGE))] or frames
    where = ""
    if ours:
        frame = ours[-1]
        try:
            place = str(Path(frame.filename).relative_to(_PACKAGE.parent))
        except ValueError:
            place = Path(frame.filename).name
        where = f" at {place}:{frame.lineno} in {frame.name}"
    statement = ""
    if isinstance(bug, StatementError) and bug.statement:
        statement = " running " + " ".join(str(bug.statement).split())[:200]
    return f"{kind}{where}{statement}"


class CatchBugs(HttpMiddleware):
    """An ASGI middleware inside Starlette's own error middleware: it answers a bug with
    the bare 500 and logs it once, in one line. (An exception handler for Exception runs in
    Starlette's outer middleware, which re-raises the bug after answering, so the server
    would log its whole traceback, SQL parameters and all, a second time.)"""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception as bug:
            _log.error(
                "unexpected failure in %s %s: %s",
                scope.get("method", ""),
                scope.get("path", ""),
                describe_bug(bug),
            )
            if started:  # part of the answer is out: all we can do is end the connection
                raise RuntimeError("the answer failed halfway; it was logged") from None
            answer = JSONResponse({"detail": "internal error; it was logged"}, status_code=500)
            await answer(scope, receive, send)


def install(app: FastAPI) -> None:
    """Answer every failure in `app` as above."""
    app.add_exception_handler(StockcoreError, on_refusal)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_middleware(CatchBugs)
