"""Answering a request that may carry an idempotency key (see `inventory.idempotency`):
without one the use case just runs; with one, a retry gets the first answer again."""

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stockcore.domain import Clock
from stockcore.inventory import idempotency
from stockcore.persistence.db import Database

REPLAYED_HEADER = "Idempotent-Replayed"

# A route's `idempotency_key` parameter: the Idempotency-Key header, if sent.
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


def answer_once(
    db: Database,
    scope: str,
    body: BaseModel,
    *,
    header: str | None,
    work: Callable[[], BaseModel],
    clock: Clock,
    status: int = 201,
) -> BaseModel | JSONResponse:
    """`work()`'s answer to `body`; with a key (the Idempotency-Key header or the body's
    `order_id`), done once per key: the stored answer (same status and body) for a retry,
    marked with Idempotent-Replayed: true. The same key with another body is refused."""
    order_id = getattr(body, "order_id", None)
    request: Mapping[str, Any] = body.model_dump(mode="json", exclude={"order_id"})
    key = idempotency.parse_key(header, order_id)
    if key is None:
        return work()
    answer = idempotency.once(
        db,
        scope,
        key,
        request,
        lambda: idempotency.Answer(status, work().model_dump(mode="json")),
        clock=clock,
    )
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)
