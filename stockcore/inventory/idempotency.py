"""Idempotent requests: a storefront's webhook may be delivered twice, and a retried
purchase must not sell twice.

A request carrying an idempotency key (an `Idempotency-Key` header or an `order_id`) runs
through `once`: the key, a digest of the request and the answer are stored in the same
transaction as the request's work (`Database.together`), so a crash cannot keep one
without the other. A retry with the same key and the same request gets the first answer
back and changes nothing; the same key with a different request is refused. The key is
the table's primary key, so a concurrent retry waits for the first request's transaction
and then replays its answer, on SQLite and PostgreSQL alike.

A refused request (not enough stock, an unknown product) stores nothing: its retry is
tried afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.exc import IntegrityError

from stockcore.domain import Clock, Conflict, InvalidValue, local_now
from stockcore.persistence.db import Database
from stockcore.persistence.models import IdempotencyKeyRow

KEY_MAX_LENGTH: Final = 200
PURCHASES: Final = "purchases"
ADD_SALES_DATA: Final = "add-sales-data"


class KeyReused(Conflict):
    def __init__(self, scope: str, key: str) -> None:
        super().__init__(
            f"the idempotency key {key!r} was already used for a different {scope} request; "
            "nothing was done (send the same request to retry it, or a new key for a new one)"
        )


@dataclass(frozen=True)
class Answer:
    """An HTTP-free answer: a status code and a JSON-ready body. `replayed`: this is the
    stored answer to an earlier request with the same key, and nothing was done now."""

    status: int
    body: Any
    replayed: bool = False


def _parse_one(value: object, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidValue(field, value, "must be text or a whole number")
    key = str(value).strip()
    if not key:
        raise InvalidValue(field, value, "must not be empty")
    if len(key) > KEY_MAX_LENGTH:
        raise InvalidValue(field, value, f"is longer than {KEY_MAX_LENGTH} characters")
    if not key.isprintable():
        raise InvalidValue(field, value, "must not hold control characters")
    return key


def parse_key(header: object, order_id: object) -> str | None:
    """The request's idempotency key: its Idempotency-Key header, else its order id (None:
    neither). Both may be given if they are equal."""
    from_header = _parse_one(header, "Idempotency-Key")
    from_order = _parse_one(order_id, "order_id")
    if from_header is not None and from_order is not None and from_header != from_order:
        raise InvalidValue(
            "order_id", order_id, f"differs from the Idempotency-Key header ({from_header!r})"
        )
    return from_header or from_order


def request_digest(request: Mapping[str, Any]) -> str:
    """The SHA-256 of a request's JSON body, keys sorted, so equal requests compare equal."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay(row: IdempotencyKeyRow, digest: str) -> Answer:
    if row.request_sha256 != digest:
        raise KeyReused(row.scope, row.key)
    return Answer(row.status, json.loads(row.answer), replayed=True)


def once(
    db: Database,
    scope: str,
    key: str,
    request: Mapping[str, Any],
    work: Callable[[], Answer],
    *,
    clock: Clock = local_now,
) -> Answer:
    """Do `work` (a use case called through `db`, turned into an Answer) once per `key`
    within `scope` (the endpoint): its writes and the stored answer commit together.
    A retry with the same request gets the stored answer; with another one, KeyReused."""
    digest = request_digest(request)
    try:
        with db.together() as session:
            stored = session.get(IdempotencyKeyRow, (scope, key))
            if stored is not None:
                return _replay(stored, digest)
            claim = IdempotencyKeyRow(
                scope=scope, key=key, request_sha256=digest, status=0, answer="", created_at=clock()
            )
            session.add(claim)
            session.flush()  # claims the key: a concurrent retry waits here until we end
            answer = work()
            claim.status = answer.status
            claim.answer = json.dumps(answer.body, separators=(",", ":"))
            return answer
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        with db.read() as session:
            stored = session.get(IdempotencyKeyRow, (scope, key))
            if stored is None:
                raise
            return _replay(stored, digest)
