"""The command line: `python -m stockcore COMMAND ...`.

Every command goes through the same use cases as the dashboard and the API. On success
the exit code is 0; on a refusal it is 1 with one clear line on stderr and the database
unchanged; a mistyped command line exits with 2. No traceback ever reaches the user.

* `parser`: the grammar, every command with its options and help;
* `commands`: the handlers, one module per group of commands;
* `printing`: tables and the views the commands share;
* here: `main`, and what each kind of failure means for the exit code and the message.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TextIO

from sqlalchemy.exc import SQLAlchemyError

from stockcore.domain import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    StockcoreError,
    Throttled,
    Unauthenticated,
)
from stockcore.imports.reading import FileRefused, NeedsDateOrder
from stockcore.interfaces.cli.commands import Handler
from stockcore.interfaces.cli.parser import EXIT_USAGE, build_parser

EXIT_REFUSED = 1  # the use case refused; nothing was changed
EXIT_FAILED = 70  # EX_SOFTWARE: the database or the file system failed, or a bug of ours
EXIT_INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C

PROBLEMS_SHOWN = 50  # a refused file's problems listed on stderr; the rest are counted


def _refusal(refusal: StockcoreError) -> str:
    return f"error: {refusal}"


def _file_refused(refusal: FileRefused) -> str:
    lines = [f"error: {refusal.summary}"]
    lines += [f"  {problem}" for problem in refusal.problems[:PROBLEMS_SHOWN]]
    if len(refusal.problems) > PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(refusal.problems) - PROBLEMS_SHOWN:,} more")
    return "\n".join(lines)


def _needs_date_order(refusal: NeedsDateOrder) -> str:
    return f"error: {refusal.summary} with --date-order day-first or --date-order month-first"


def _database_failure(failure: SQLAlchemyError) -> str:
    reason = str(getattr(failure, "orig", None) or failure).splitlines()[0]
    return f"error: the database could not be used: {reason}"


def _os_failure(failure: OSError) -> str:
    return f"error: {failure.strerror or failure}: {failure.filename or ''}".rstrip(": ")


def _interrupted(_: KeyboardInterrupt) -> str:
    return "interrupted; nothing half-written was kept"


def _bug(bug: Exception) -> str:
    # Still no traceback for the user.
    return f"error: unexpected failure ({type(bug).__name__}: {bug}); please report it"


# What a command raised -> (exit code, the message on stderr); the first row that matches
# wins, so a subclass comes before its base. Every refusal category says the same: its
# message is written for the shop owner.
ON_FAILURE: Final[tuple[tuple[type[BaseException], int, Callable[[Any], str]], ...]] = (
    (NeedsDateOrder, EXIT_REFUSED, _needs_date_order),
    (FileRefused, EXIT_REFUSED, _file_refused),  # an Invalid that lists the file's problems
    (Invalid, EXIT_REFUSED, _refusal),
    (NotFound, EXIT_REFUSED, _refusal),
    (Conflict, EXIT_REFUSED, _refusal),
    (Forbidden, EXIT_REFUSED, _refusal),
    (Unauthenticated, EXIT_REFUSED, _refusal),
    (Throttled, EXIT_REFUSED, _refusal),
    (StockcoreError, EXIT_REFUSED, _refusal),  # operational: a ledger mismatch, a bad backup
    (SQLAlchemyError, EXIT_FAILED, _database_failure),
    (OSError, EXIT_FAILED, _os_failure),
    (KeyboardInterrupt, EXIT_INTERRUPTED, _interrupted),
    (Exception, EXIT_FAILED, _bug),
)


def explain(failure: BaseException) -> tuple[int, str]:
    """The exit code and the message on stderr for what a command raised."""
    for kind, exit_code, message in ON_FAILURE:
        if isinstance(failure, kind):
            return exit_code, message(failure)
    raise failure  # SystemExit and the like are not failures of a command


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command line (`sys.argv[1:]` unless given); returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Handler = args.handler
    try:
        # Progress and warnings a command writes to sys.stderr go to `err` too.
        with contextlib.redirect_stderr(err):
            return handler(args, out)
    except (Exception, KeyboardInterrupt) as failure:
        exit_code, message = explain(failure)
        print(message, file=err)
        return exit_code


__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "ON_FAILURE",
    "build_parser",
    "explain",
    "main",
]
