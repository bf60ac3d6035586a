"""Who made a change: a signed-in account, an API key, the command line or the system itself.

Every stock movement and every sale line records its actor, so the ledger can say "by".
The actor is stored as its kind, its name and (for an account) the account's id; the name
is kept as text, so a row stays readable after the account is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

ACTOR_NAME_MAX_LENGTH: Final = 100
UNKNOWN_ACTOR_LABEL: Final = "unknown"


class ActorKind(StrEnum):
    USER = "user"  # a signed-in account (dashboard or API token): name is the username
    API_KEY = "api_key"  # a script or storefront: name is the key's label
    CLI = "cli"  # the command line: name is the operating-system user
    SYSTEM = "system"  # stockcore itself: name says what ("demo", "import", ...)


_PREFIXES: Final = {ActorKind.API_KEY: "key:", ActorKind.CLI: "cli:"}


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str
    user_id: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("an actor needs a name")
        if len(self.name) > ACTOR_NAME_MAX_LENGTH:
            object.__setattr__(self, "name", self.name[:ACTOR_NAME_MAX_LENGTH])

    @classmethod
    def user(cls, user_id: str, username: str) -> Actor:
        return cls(ActorKind.USER, username, user_id)

    @classmethod
    def api_key(cls, label: str) -> Actor:
        return cls(ActorKind.API_KEY, label)

    @classmethod
    def cli(cls, os_user: str | None) -> Actor:
        return cls(ActorKind.CLI, (os_user or "").strip() or "unknown")

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(ActorKind.SYSTEM, what)

    @property
    def label(self) -> str:
        """How the ledger shows it: `alice`, `cli:alice`, `key:storefront`, `demo`."""
        return _PREFIXES.get(self.kind, "") + self.name


def actor_label(kind: str | None, name: str | None) -> str:
    """The label of a stored actor; rows from before actors were recorded are "unknown"."""
    if kind is None or not name:
        return UNKNOWN_ACTOR_LABEL
    try:
        return Actor(ActorKind(kind), name).label
    except ValueError:
        return f"{kind}:{name}"


DEMO_ACTOR: Final = Actor.system("demo")
