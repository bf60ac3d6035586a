"""User accounts: users."""

from __future__ import annotations

import argparse
import getpass
from typing import TextIO

from stockcore.domain import Invalid
from stockcore.interfaces.cli.commands import open_db
from stockcore.interfaces.cli.commands.access import run_access_options
from stockcore.interfaces.cli.printing import table


def _new_password(username: str) -> str:
    """Asked twice without echo; the two must match."""
    first = getpass.getpass(f"New password for {username}: ")
    if getpass.getpass("Again: ") != first:
        raise Invalid("the two passwords differ; nothing was changed")
    return first


def cmd_users(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore import accounts  # argon2 and JWT load only for this command

    if run_access_options(args, out):
        return 0
    db = open_db(args)
    if args.set_role:
        user = accounts.assign_role(db, args.set_role[0], args.set_role[1])
        print(f"{user.username} is now {user.role.value}", file=out)
    elif args.set_password:
        user = accounts.set_password(db, args.set_password, _new_password(args.set_password))
        print(f"password of {user.username} changed; their sessions were ended", file=out)
    elif args.disable:
        user = accounts.set_active(db, args.disable, False)
        print(f"{user.username} is disabled: cannot sign in, tokens refused", file=out)
    elif args.enable:
        user = accounts.set_active(db, args.enable, True)
        print(f"{user.username} is enabled: may sign in again", file=out)
    elif args.delete:
        user = accounts.delete_user_by_name(db, args.delete)
        print(f"{user.username} deleted (their name stays on the ledger rows they made)", file=out)
    elif args.sign_out:
        user = accounts.sign_out_everywhere_by_name(db, args.sign_out)
        print(f"every token and session of {user.username} ended", file=out)
    users = accounts.list_users(db)
    if not users:
        print("No users yet: the first to register (dashboard or API) becomes the owner.", file=out)
        return 0
    rows = [
        (u.username, u.email, u.role.value, "yes" if u.active else "disabled",
         f"{u.created_at:%Y-%m-%d %H:%M}")
        for u in users
    ]  # fmt: skip
    print(table(("Username", "Email", "Role", "Active", "Created"), rows), file=out)
    return 0
