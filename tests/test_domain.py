"""The shop's rules, without any database."""

import datetime as dt
from decimal import Decimal

import pytest

from stockcore.domain import (
    AlertAction,
    InsufficientStock,
    InvalidValue,
    Product,
    counted,
    parse_date,
    parse_money,
    parse_product_id,
    parse_quantity,
    restock_alert_action,
    urgency,
)


def mug(quantity: int = 10, threshold: int = 4) -> Product:
    return Product.create(
        "22720",
        "Mug",
        category="Kitchen",
        unit_price="2.50",
        quantity=quantity,
        restock_threshold=threshold,
    )


def test_selling_lowers_stock_and_records_the_price_of_that_moment() -> None:
    after, sale = mug(quantity=10).sell(3)
    assert after.quantity == 7
    assert (sale.quantity, sale.unit_price, sale.revenue) == (3, Decimal("2.50"), Decimal("7.50"))


def test_purchase_more_than_on_hand_is_refused_and_changes_nothing() -> None:
    product = mug(quantity=2)
    with pytest.raises(InsufficientStock, match="3 requested, 2 on hand"):
        product.sell(3)
    assert product.quantity == 2


def test_selling_the_last_unit_is_allowed() -> None:
    after, _ = mug(quantity=1).sell(1)
    assert after.quantity == 0


def test_needs_restock_means_strictly_below_threshold() -> None:
    assert not mug(quantity=4, threshold=4).needs_restock
    assert mug(quantity=3, threshold=4).needs_restock
    assert not mug(quantity=0, threshold=0).needs_restock


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be at least 1"),
        (-2, "must be at least 1"),
        ("-2", "must be at least 1"),
        (2.5, "not a fraction"),
        ("2.5", "not a fraction"),
        ("two", "is not a whole number"),
        ("", "is not a whole number"),
        (None, "is not a whole number"),
        (True, "is not a whole number"),
        (float("nan"), "is not a whole number"),
        (float("inf"), "is not a whole number"),
        (10**12, "must not be above"),
    ],
)
def test_a_quantity_must_be_a_whole_number_of_at_least_one(value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message) as refusal:
        parse_quantity(value)
    assert refusal.value.field == "quantity"


@pytest.mark.parametrize(("value", "expected"), [(3, 3), ("3", 3), (" 12 ", 12), (4.0, 4)])
def test_whole_numbers_typed_in_any_reasonable_form_are_accepted(
    value: object, expected: int
) -> None:
    assert parse_quantity(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "must not be negative"), ("1.005", "more than 2 decimal places"), ("abc", "money")],
)
def test_prices_are_non_negative_amounts_with_at_most_two_decimals(
    value: str, message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_money(value, "unit price")


def test_prices_keep_exact_cents() -> None:
    assert parse_money("0.1", "unit price") + parse_money(0.2, "unit price") == Decimal("0.30")


@pytest.mark.parametrize("bad_id", ["", "   ", "has space", "#1", "x" * 65])
def test_product_ids_are_sku_codes(bad_id: str) -> None:
    with pytest.raises(InvalidValue, match="product id"):
        parse_product_id(bad_id)


def test_sku_codes_keep_their_case_and_numbers_become_text() -> None:
    assert parse_product_id("85123A") == "85123A"
    assert parse_product_id(101) == "101"


def test_a_new_product_gets_the_default_category_and_lead_time() -> None:
    product = Product.create("1", "Thing", unit_price="1", category="  ")
    assert (product.category, product.lead_time_days, product.unit_cost) == (
        "Uncategorised",
        7,
        None,
    )


def test_a_product_with_a_bad_field_names_the_field_and_value() -> None:
    with pytest.raises(InvalidValue) as refusal:
        Product.create("1", "Thing", unit_price="1", restock_threshold="-3")
    assert str(refusal.value) == "restock threshold '-3' must not be below 0"


def test_stock_value_is_at_cost_when_known_else_at_price() -> None:
    assert mug(quantity=4).stock_value == Decimal("10.00")
    with_cost = Product.create("1", "Thing", unit_price="5", unit_cost="2", quantity=3)
    assert with_cost.stock_value == Decimal("6")


def test_an_adjustment_may_not_take_stock_below_zero() -> None:
    with pytest.raises(InvalidValue, match="below zero"):
        mug(quantity=2).adjust(-3)
    assert mug(quantity=2).adjust(-2).quantity == 0


def test_a_restock_alert_is_raised_once_and_resolved_when_stock_is_back() -> None:
    low, ok = mug(quantity=3, threshold=4), mug(quantity=4, threshold=4)
    assert restock_alert_action(low, has_active_alert=False) is AlertAction.RAISE
    assert restock_alert_action(low, has_active_alert=True) is AlertAction.KEEP
    assert restock_alert_action(ok, has_active_alert=True) is AlertAction.RESOLVE
    assert restock_alert_action(ok, has_active_alert=False) is AlertAction.KEEP


def test_urgency_orders_out_of_stock_first() -> None:
    assert urgency(0, 5) < urgency(1, 2) < urgency(3, 4)


@pytest.mark.parametrize("value", [86400, 2024.0, "31/03/2024", "2024-02-30", None, ""])
def test_parse_date_refuses_numbers_and_text_that_is_no_iso_day(value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_date(value, "date")
    assert refused.value.field == "date"
    assert "2024-03-31" in str(refused.value)


def test_parse_date_takes_days_iso_text_and_a_moments_day() -> None:
    day = dt.date(2024, 3, 31)
    assert parse_date(day, "date") == day
    assert parse_date(" 2024-03-31 ", "date") == day
    assert parse_date(dt.datetime(2024, 3, 31, 23, 59), "date") == day


def test_a_count_reads_with_its_word_and_verb_in_agreement() -> None:
    assert counted(1, "product") == "1 product"
    assert counted(0, "product") == "0 products"
    assert counted(1204, "bad row") == "1,204 bad rows"
    assert counted(1, "day", ("has", "have")) == "1 day has"
    assert counted(3, "day", ("has", "have")) == "3 days have"
