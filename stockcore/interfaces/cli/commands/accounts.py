"""User accounts: users."""

from __future__ import annotations

import argparse
from typing import TextIO

from stockcore.interfaces.cli.commands import open_db
from stockcore.interfaces.cli.commands.access import run_access_options
from stockcore.interfaces.cli.printing import table


def cmd_users(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore import accounts  # argon2 and JWT load only for this command

    if run_access_options(args, out):
        return 0
    db = open_db(args)
    if args.set_role:
        user = accounts.assign_role(db, args.set_role[0], args.set_role[1])
        print(f"{user.username} is now {user.role.value}", file=out)
    users = accounts.list_users(db)
    if not users:
        print("No users yet: the first to register (dashboard or API) becomes the owner.", file=out)
        return 0
    rows = [(u.username, u.email, u.role.value, f"{u.created_at:%Y-%m-%d %H:%M}") for u in users]
    print(table(("Username", "Email", "Role", "Created"), rows), file=out)
    return 0
