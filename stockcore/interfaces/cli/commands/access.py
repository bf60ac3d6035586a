"""Who may get in, from the command line: invitations, open sign-up and API keys (the
`users` command's options). Whoever can run the command can open the database anyway, so
it acts as the shop's owner."""

from __future__ import annotations

import argparse
from typing import TextIO

from stockcore.interfaces.cli.printing import table


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
    if args.revoke_invitation:
        revoked = accounts.revoke_invitation(db, None, args.revoke_invitation)
        print(f"invitation {revoked.invitation_id} ({revoked.prefix}…) is revoked", file=out)
        done = True
    if args.invitations:
        rows = [
            (
                str(i.invitation_id),
                f"{i.prefix}…",
                i.role.value,
                i.status.value,
                f"{i.expires_at:%Y-%m-%d %H:%M}",
                i.used_by or "",
            )
            for i in accounts.list_invitations(db, None)
        ]
        print(
            table(("Id", "Code", "Role", "Status", "Expires", "Used by"), rows)
            if rows
            else "No invitations.",
            file=out,
        )
        done = True
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
    if args.revoke_api_key:
        revoked_key = accounts.revoke_api_key(db, None, args.revoke_api_key)
        print(f"API key {revoked_key.key_id} ({revoked_key.prefix}…) is revoked", file=out)
        done = True
    if args.api_keys:
        keys = [
            (
                str(k.key_id),
                k.name,
                f"{k.prefix}…",
                " ".join(k.scopes),
                "active" if k.active else "revoked",
                f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never",
            )
            for k in accounts.list_api_keys(db, None)
        ]
        print(
            table(("Id", "Name", "Key", "Scopes", "Status", "Last used"), keys)
            if keys
            else "No API keys.",
            file=out,
        )
        done = True
    return done
