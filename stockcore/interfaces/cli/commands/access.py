"""Who may get in, from the command line: invitations, open sign-up and API keys (the
`users` command's options). Whoever can run the command can open the database anyway, so
it acts as the shop's owner."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import TextIO, TypeVar

from stockcore.interfaces.cli.printing import table

Row = TypeVar("Row")


def run_access_options(args: argparse.Namespace, out: TextIO) -> bool:
    """Carry out the `users` options about access; True if one was given."""
    from stockcore import accounts  # argon2 and JWT load only for this command
    from stockcore.interfaces.cli.commands import open_db

    db = open_db(args)
    done = False
    if args.open_signup is not None:
        opened = accounts.set_open_signup(db, None, args.open_signup)
        print(
            "open sign-up is on: anyone may open a staff account"
            if opened
            else "sign-up is closed: newcomers need an invitation",
            file=out,
        )
        done = True
    if args.invite:
        issued = accounts.create_invitation(db, None, args.invite, days=args.days)
        invitation = issued.invitation
        print(
            f"invitation {invitation.invitation_id} for a {invitation.role.value} account, "
            f"valid until {invitation.expires_at:%Y-%m-%d %H:%M}\n"
            f"code (shown once): {issued.code}\n"
            f"sign-up link: the dashboard's address followed by {issued.signup_query}\n"
            f'or POST /register with "invitation": "{issued.code}"',
            file=out,
        )
        done = True
    done = (
        _revoke_then_list(
            out,
            revoke_id=args.revoke_invitation,
            revoke=lambda chosen: accounts.revoke_invitation(db, None, chosen),
            revoked=lambda i: f"invitation {i.invitation_id} ({i.prefix}…) is revoked",
            wanted=args.invitations,
            listing=lambda: accounts.list_invitations(db, None),
            headers=("Id", "Code", "Role", "Status", "Expires", "Used by"),
            row=lambda i: (
                str(i.invitation_id),
                f"{i.prefix}…",
                i.role.value,
                i.status.value,
                f"{i.expires_at:%Y-%m-%d %H:%M}",
                i.used_by or "",
            ),
            nothing="No invitations.",
        )
        or done
    )
    if args.api_key:
        made = accounts.create_api_key(db, None, args.api_key, args.scopes or "")
        key = made.api_key
        print(
            f"API key {key.key_id} {key.name!r} with scopes {' '.join(key.scopes)}\n"
            f"key (shown once): {made.secret}\n"
            "send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            file=out,
        )
        done = True
    return (
        _revoke_then_list(
            out,
            revoke_id=args.revoke_api_key,
            revoke=lambda chosen: accounts.revoke_api_key(db, None, chosen),
            revoked=lambda k: f"API key {k.key_id} ({k.prefix}…) is revoked",
            wanted=args.api_keys,
            listing=lambda: accounts.list_api_keys(db, None),
            headers=("Id", "Name", "Key", "Scopes", "Status", "Last used"),
            row=lambda k: (
                str(k.key_id),
                k.name,
                f"{k.prefix}…",
                " ".join(k.scopes),
                "active" if k.active else "revoked",
                f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never",
            ),
            nothing="No API keys.",
        )
        or done
    )


def _revoke_then_list(
    out: TextIO,
    *,
    revoke_id: str | None,
    revoke: Callable[[str], Row],
    revoked: Callable[[Row], str],
    wanted: bool,
    listing: Callable[[], Iterable[Row]],
    headers: tuple[str, ...],
    row: Callable[[Row], tuple[str, ...]],
    nothing: str,
) -> bool:
    """Revoke the one `revoke_id` names (if any), then list them all if `wanted` (as a table of
    `headers`, or `nothing`); True if either was asked for."""
    if revoke_id:
        print(revoked(revoke(revoke_id)), file=out)
    if wanted:
        rows = [row(item) for item in listing()]
        print(table(headers, rows) if rows else nothing, file=out)
    return bool(revoke_id or wanted)
