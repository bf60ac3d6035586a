"""The REST API: api."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from stockcore.domain import parse_whole_number


def cmd_api(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore.interfaces import api  # FastAPI and uvicorn load only for this command
    from stockcore.interfaces.api import guards

    port = parse_whole_number(args.port, "port", minimum=1, maximum=65535)
    proxies = guards.parse_trusted_proxies(args.trusted_proxy) if args.trusted_proxy else None
    largest = (
        guards.parse_max_body_bytes(args.max_body_bytes)
        if args.max_body_bytes is not None
        else None
    )
    chart_dir, docs = api.settings_from_env()
    if args.chart_dir is not None:
        chart_dir = Path(args.chart_dir)
    docs = docs or args.docs
    where = "docs at /docs" if docs else "docs off: --docs serves them"
    print(f"stockcore API on http://{args.host}:{port} ({where}); Ctrl-C stops it", file=out)
    api.serve(
        args.db,
        host=args.host,
        port=port,
        chart_dir=chart_dir,
        docs=docs,
        trusted_proxies=[str(network) for network in proxies] if proxies is not None else None,
        max_body_bytes=largest,
    )
    return 0
