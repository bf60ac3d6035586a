"""The real server: `python -m stockcore api` under uvicorn on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stockcore.inventory import reports
from stockcore.persistence.db import Database

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_api_command_serves_the_shop(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    secret_file = tmp_path / "api.secret"
    env = {
        **os.environ,
        "STOCKCORE_SECRET_KEY_FILE": str(secret_file),
        "STOCKCORE_SECRET_KEY": "",
    }
    command = [sys.executable, "-m", "stockcore", "api", "--host", "127.0.0.1"]
    charts = tmp_path / "charts"
    charts.mkdir()
    server = subprocess.Popen(
        [*command, "--port", str(port), "--db", db_url, "--chart-dir", str(charts)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/health").json() == {"status": "ok"}:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)

            for docs in ("/docs", "/redoc", "/openapi.json"):  # off without --docs
                assert client.get(docs).status_code == 404
            unsigned = client.get("/products")
            assert unsigned.status_code == 401
            assert unsigned.headers["x-content-type-options"] == "nosniff"
            account = {"username": "olivia", "email": "o@example.com", "password": "pass phrase"}
            assert client.post("/register", json=account).json()["role"] == "owner"
            extra = client.post("/login", json=account)  # username or email, not both
            assert extra.status_code == 422 and "username or email" in extra.text
            login = client.post("/login", json={"username": "olivia", "password": "pass phrase"})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            product = {"product_id": "101", "name": "Laptop", "unit_price": 500, "quantity": 3}
            assert client.post("/products", json=product, headers=headers).status_code == 201
            bought = client.post(
                "/purchases", json={"product_id": "101", "quantity": 2}, headers=headers
            )
            assert bought.status_code == 201 and bought.json()["quantity_left"] == 1
            refused = client.post(
                "/purchases", json={"product_id": "101", "quantity": 2}, headers=headers
            )
            assert refused.status_code == 409
            chart = client.get("/visualize-sales", headers=headers)
            assert chart.status_code == 200 and chart.json()["path"] == "sales_trend.png"
            assert str(tmp_path) not in chart.text
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    output = server.stdout.read().decode()  # type: ignore[union-attr]
    assert "Uvicorn running on http://127.0.0.1" in output
    assert "pass phrase" not in output  # the password is never logged
    assert (secret_file.stat().st_mode & 0o777) == 0o600
    # The chart went to the chart folder, nothing into the server's working folder.
    assert (charts / "sales_trend.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix == ".png") == []
    db = Database.connect(db_url)
    assert reports.get_product(db, "101").quantity == 1  # type: ignore[union-attr]
    db.dispose()


def test_the_api_command_takes_docs_and_a_chart_folder() -> None:
    from stockcore.interfaces.cli.parser import build_parser

    plain = build_parser().parse_args(["api"])
    assert (plain.docs, plain.chart_dir) == (False, None)
    chosen = build_parser().parse_args(["api", "--docs", "--chart-dir", "charts"])
    assert (chosen.docs, chosen.chart_dir) == (True, "charts")


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_the_api_command_refuses_a_bad_port(port: str) -> None:
    from stockcore.interfaces.cli import main

    assert main(["api", "--port", port]) == 1


def test_the_users_command_lists_accounts_and_changes_roles(tmp_path: Path) -> None:
    import io

    from stockcore import accounts
    from stockcore.interfaces.cli import main

    url = f"sqlite:///{tmp_path / 'shop.db'}"

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        return main(["--db", url, *argv], out=out, err=err), out.getvalue(), err.getvalue()

    assert "No users yet" in run("users")[1]
    db = Database.connect(url)
    olivia = accounts.register(db, "olivia", "olivia@example.com", "a long password")
    accounts.create_user(db, olivia, "sam", "sam@example.com", "a long password", "staff")
    code, out, _ = run("users", "--set-role", "sam", "manager")
    assert code == 0 and "sam is now manager" in out
    assert "olivia    olivia@example.com  owner" in out
    code, _, err = run("users", "--set-role", "olivia", "staff")
    assert code == 1 and "without an owner" in err
    code, _, err = run("users", "--set-role", "nobody", "staff")
    assert code == 1 and "unknown user 'nobody'" in err
    db.dispose()
