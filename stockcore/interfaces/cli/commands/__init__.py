"""The command handlers, one module per group of commands.

A handler takes the parsed arguments and the stream for its output, calls the use cases
and prints what they return; it returns the exit code (0) or raises the use case's
refusal, which `stockcore.interfaces.cli.main` turns into an exit code and one line.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import TextIO

from stockcore.domain import Actor
from stockcore.inventory.demo import open_shop
from stockcore.persistence.db import Database

Handler = Callable[[argparse.Namespace, TextIO], int]


def open_db(args: argparse.Namespace) -> Database:
    """The shop's database from `--db` (else the default), its schema brought up to date."""
    return open_shop(args.db).db


def cli_actor() -> Actor:
    """Who the ledger says made a change from the command line: `cli:<operating-system user>`."""
    try:
        return Actor.cli(getpass.getuser())
    except (KeyError, OSError):  # no login name and no entry in the password database
        return Actor.cli(None)
