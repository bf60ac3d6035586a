"""The REST API: api."""

from __future__ import annotations

import argparse
from typing import TextIO

from stockcore.domain import parse_whole_number


def cmd_api(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore.interfaces import api  # FastAPI and uvicorn load only for this command

    port = parse_whole_number(args.port, "port", minimum=1, maximum=65535)
    print(f"stockcore API on http://{args.host}:{port} (docs at /docs); Ctrl-C stops it", file=out)
    api.serve(args.db, host=args.host, port=port)
    return 0
