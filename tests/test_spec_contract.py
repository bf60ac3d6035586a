"""The seed's API specification, replayed word for word on SQLite and PostgreSQL: its
request bodies and the keys of its answers work as written, beside our richer shapes.

The spec's examples (the contract; docs/api.md lists our richer shapes):
  POST /register {"username", "email", "password"} -> {"message": "User registered successfully"}
  POST /login {"email", "password"} -> {"token"}
  POST /add-sales-data {"date", "sales"} -> {"message": "Sales data added successfully"}
  GET  /get-sales-data -> every record [{"date", "sales"}, ...]
  POST /train-sales-model -> {"message": "Model trained successfully"}
  GET  /predict-sales?days=30 -> [{"date", "predicted_sales"}, ...]
  POST /optimize-inventory {"daily_demand": 80, "lead_time": 5} -> 400 and 480
  GET  /visualize-sales -> {"message": "Sales trend visualization generated and saved as
  sales_trend.png"}
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockcore import inventory
from stockcore.interfaces import api
from stockcore.persistence.db import Database
from tests.support import FixedClock
from tests.test_api import (  # noqa: F401  (fixtures: the API on the test's database)
    SECRET,
    Api,
    add_spec_products,
    api_,
    quick_hashes,
    roles,
)

SPEC_FIRST_DAY = date(2023, 1, 1)
SPEC_DAYS = 120


@pytest.fixture
def clock() -> FixedClock:
    """The shop's clock the morning after the spec's 120 days of sales (2023-01-01 on)."""
    return FixedClock(datetime(2023, 5, 1, 9, 0))


def spec_sales(day: date) -> int:
    """A shop's daily total with a weekly rhythm around the spec's 1000."""
    return 1000 + 150 * (day.weekday() in (4, 5)) - 100 * (day.weekday() == 0) + day.day % 7


def sign_in_as_john(client: TestClient) -> dict[str, str]:
    registered = client.post(
        "/register",
        json={"username": "john_doe", "email": "john@example.com", "password": "securepassword"},
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["message"] == "User registered successfully"
    login = client.post("/login", json={"email": "john@example.com", "password": "securepassword"})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def test_the_specs_examples_work_as_written(api_: Api) -> None:  # noqa: F811
    client = api_.client
    john = sign_in_as_john(client)  # the first account: the shop's owner

    first = client.post("/add-sales-data", json={"date": "2023-01-01", "sales": 1000}, headers=john)
    assert first.status_code == 201, first.text
    assert first.json()["message"] == "Sales data added successfully"
    for offset in range(1, SPEC_DAYS):
        day = SPEC_FIRST_DAY + timedelta(days=offset)
        added = client.post(
            "/add-sales-data",
            json={"date": day.isoformat(), "sales": spec_sales(day)},
            headers=john,
        )
        assert added.status_code == 201, added.text

    records = client.get("/get-sales-data", headers=john)
    assert records.status_code == 200
    assert len(records.json()) == SPEC_DAYS  # every stored record, not a first page
    assert records.headers["X-Total-Count"] == str(SPEC_DAYS)
    assert {"date": "2023-01-01", "sales": 1000}.items() <= records.json()[0].items()
    assert [row["date"] for row in records.json()] == [
        (SPEC_FIRST_DAY + timedelta(days=offset)).isoformat() for offset in range(SPEC_DAYS)
    ]
    paged = client.get("/get-sales-data", params={"limit": 10, "offset": 115}, headers=john)
    assert [row["date"] for row in paged.json()] == [
        "2023-04-26",
        "2023-04-27",
        "2023-04-28",
        "2023-04-29",
        "2023-04-30",
    ]

    trained = client.post("/train-sales-model", headers=john)
    assert trained.status_code == 200, trained.text
    assert trained.json()["message"] == "Model trained successfully"
    assert trained.json()["products"] == 0 and trained.json()["shop_model"]

    predicted = client.get("/predict-sales?days=30", headers=john)
    assert predicted.status_code == 200, predicted.text
    rows = predicted.json()
    assert [row["date"] for row in rows] == [
        (date(2023, 5, 1) + timedelta(days=offset)).isoformat() for offset in range(30)
    ]
    # The shop's forecast is in the measure of its recorded sales, around the spec's 1000.
    assert all(900 <= row["predicted_sales"] <= 1300 for row in rows)
    assert all(row["predicted_units"] is None for row in rows)  # no products: no units
    posted = client.post("/predict-sales", json={"days": 30}, headers=john)
    assert posted.json() == rows

    optimized = client.post(
        "/optimize-inventory", json={"daily_demand": 80, "lead_time": 5}, headers=john
    )
    assert optimized.status_code == 200
    assert optimized.json()["reorder_point"] == 400
    assert optimized.json()["optimal_stock_level"] == 480

    chart = client.get("/visualize-sales", headers=john)
    assert chart.status_code == 200, chart.text
    assert chart.json()["message"] == (
        "Sales trend visualization generated and saved as sales_trend.png"
    )
    # Over every recorded day, not only the last 90.
    assert (chart.json()["from"], chart.json()["to"]) == ("2023-01-01", "2023-04-30")
    assert (api_.chart_dir / "sales_trend.png").read_bytes().startswith(b"\x89PNG")
    png = client.get("/visualize-sales", headers={**john, "Accept": "image/png"})
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_login_takes_the_email_or_the_username_in_either_field(api_: Api) -> None:  # noqa: F811
    client = api_.client
    sign_in_as_john(client)
    for body in (
        {"email": "john@example.com", "password": "securepassword"},
        {"email": "JOHN@example.com", "password": "securepassword"},
        {"username": "john_doe", "password": "securepassword"},
        {"username": "john@example.com", "password": "securepassword"},
    ):
        assert client.post("/login", json=body).status_code == 200, body
    for body in (
        {"password": "securepassword"},
        {"username": "john_doe", "email": "john@example.com", "password": "securepassword"},
    ):
        refused = client.post("/login", json=body)
        assert refused.status_code == 422 and "username or email" in refused.text, body
    wrong = client.post("/login", json={"email": "john@example.com", "password": "not it at all"})
    assert wrong.status_code == 401


def test_a_recorded_shop_total_reads_back_exactly_beside_sale_lines(
    api_: Api,  # noqa: F811
    roles: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    """The rule: a day's recorded shop total is that day's figure; the sale lines are the
    figure of days without one. Line sales no longer hide a recorded total."""
    add_spec_products(api_.db, api_.clock)
    day = date(2023, 4, 28)
    inventory.record_history(
        api_.db,
        [
            inventory.HistoryLine(day, "101", 1, Decimal("9124.52")),
            inventory.HistoryLine(day, "102", 1, Decimal("500")),
            inventory.HistoryLine(day + timedelta(days=1), "102", 3, Decimal("500")),
        ],
    )
    client, manager = api_.client, roles["manager"]
    added = client.post(
        "/add-sales-data", json={"date": day.isoformat(), "sales": 1234.50}, headers=manager
    )
    assert added.status_code == 201, added.text
    assert client.get("/get-sales-data", headers=manager).json() == [
        {"date": "2023-04-28", "sales": 1234.5, "units": 2, "source": "total"},
        {"date": "2023-04-29", "sales": 1500.0, "units": 3, "source": "lines"},
    ]
    # One product's lines stay that product's.
    mouse = client.get("/get-sales-data", params={"product_id": "102"}, headers=manager).json()
    assert [(row["date"], row["sales"]) for row in mouse] == [
        ("2023-04-28", 500.0),
        ("2023-04-29", 1500.0),
    ]


def test_a_shop_with_products_and_totals_predicts_its_daily_figure_and_product_units(
    api_: Api,  # noqa: F811
    roles: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    add_spec_products(api_.db, api_.clock)
    today = api_.clock.now.date()
    inventory.record_history(
        api_.db,
        [
            inventory.HistoryLine(today - timedelta(days=offset), "102", 2, Decimal("500"))
            for offset in range(1, 91)
        ],
    )
    client, manager = api_.client, roles["manager"]
    # The shop's own totals for the last 60 days: 5000 a day, beyond the mouse's 1000.
    for offset in range(1, 61):
        day = today - timedelta(days=offset)
        added = client.post(
            "/add-sales-data", json={"date": day.isoformat(), "sales": 5000}, headers=manager
        )
        assert added.status_code == 201
    trained = client.post("/train-sales-model", json={"days": 14}, headers=manager)
    assert trained.status_code == 200, trained.text
    shop = client.get("/predict-sales", params={"days": 7}, headers=manager).json()
    assert len(shop) == 7
    assert all(4500 <= row["predicted_sales"] <= 5500 for row in shop)  # the recorded totals
    mouse = client.get(
        "/predict-sales", params={"days": 7, "product_id": "102"}, headers=manager
    ).json()
    assert all(row["predicted_units"] == pytest.approx(2, abs=0.5) for row in mouse)
    assert all(row["predicted_sales"] == pytest.approx(1000, abs=250) for row in mouse)
    # Beside the shop's figure, its products' units summed (the Laptop, without history,
    # has its share of the shop's units).
    assert all(
        shop_day["predicted_units"] >= mouse_day["predicted_units"]
        for shop_day, mouse_day in zip(shop, mouse, strict=True)
    )
    assert client.get("/predict-sales", params={"days": 0}, headers=manager).status_code == 422
    unknown = client.get("/predict-sales", params={"product_id": "9"}, headers=manager)
    assert unknown.status_code == 404


def test_visualize_sales_writes_nothing_without_a_chart_folder(
    db: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = tmp_path / "working"
    working.mkdir()
    monkeypatch.chdir(working)
    app = api.create_app(db, secret_key=SECRET, clock=clock)  # chart_dir=None: the default
    with TestClient(app) as client:
        john = sign_in_as_john(client)
        added = client.post(
            "/add-sales-data", json={"date": "2023-01-01", "sales": 1000}, headers=john
        )
        assert added.status_code == 201
        answer = client.get("/visualize-sales", headers=john)
        assert answer.status_code == 200, answer.text
        assert answer.json()["path"] is None and "not saved" in answer.json()["message"]
        assert str(tmp_path) not in answer.text
        png = client.get("/visualize-sales", params={"format": "png"}, headers=john)
        assert png.content.startswith(b"\x89PNG")
        prefers_json = client.get(
            "/visualize-sales",
            headers={**john, "Accept": "application/json, image/png;q=0.5"},
        )
        assert prefers_json.headers["content-type"] == "application/json"
    assert os.listdir(working) == []


def test_spec_endpoints_refuse_bad_input_without_a_server_error(
    api_: Api,  # noqa: F811
    roles: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    client, manager = api_.client, roles["manager"]
    for params in ({"days": "thirty"}, {"days": 10**6}, {"product_id": "x" * 65}):
        assert client.get("/predict-sales", params=params, headers=manager).status_code == 422
    for params in ({"from": "2023-02-01", "to": "2023-01-01"}, {"period": "year"}):
        assert client.get("/visualize-sales", params=params, headers=manager).status_code == 422
    before_training = client.get("/predict-sales", headers=manager)
    assert before_training.status_code == 409
    assert "/train-sales-model" in before_training.json()["detail"]
    no_sales = client.post("/train-sales-model", headers=manager)
    assert no_sales.status_code == 409 and "no sales history" in no_sales.json()["detail"]


def test_the_trend_sums_each_days_figure_and_marks_periods_cut_short(db: Database) -> None:
    from stockcore.inventory import shop_sales

    def on(day: date) -> FixedClock:
        return FixedClock(datetime.combine(day, datetime.min.time()) + timedelta(hours=20))

    for offset in range(10):  # Sunday 2023-01-01 to Tuesday 2023-01-10
        day = SPEC_FIRST_DAY + timedelta(days=offset)
        shop_sales.add_sales_data(db, day.isoformat(), 100 + offset, clock=on(day))
    trend = shop_sales.sales_trend(db, period="week", today=date(2023, 1, 10)).trend
    assert [str(start.date()) for start in trend["period_start"]] == [
        "2022-12-26",
        "2023-01-02",
        "2023-01-09",
    ]
    assert trend["revenue"].tolist() == [100.0, sum(range(101, 108)), 108.0 + 109.0]
    # The first week starts before the first record; the last holds today.
    assert trend["partial"].tolist() == [True, False, True]
