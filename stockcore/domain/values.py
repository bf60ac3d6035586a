"""Values typed by people or sent by scripts, read strictly: every parser returns the
value or raises `InvalidValue` naming the field, the value and the rule. Nothing is
silently changed.

Units: quantities are whole units of stock; money is a `Decimal` in the shop's currency
with two decimal places; lead times are days.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from stockcore.domain.errors import InvalidValue

CENT = Decimal("0.01")
MAX_QUANTITY = 10_000_000
MAX_LEAD_TIME_DAYS = 365
MAX_PRICE = Decimal("10000000")
PRODUCT_ID_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
DEFAULT_CATEGORY = "Uncategorised"
DEFAULT_LEAD_TIME_DAYS = 7
DEFAULT_SERVICE_LEVEL = 0.95  # where neither product nor shop set one
# What a service level means, as every interface explains it (the reorder rule,
# replenishment.levels.order_for_service, keeps this chance).
SERVICE_LEVEL_MEANING = "the chance of not running out in the week after an order arrives"
# A service level below half is no target, and 100% would need infinite stock: the ones
# the shop may set.
# The largest id a row of the shop's tables can have (PostgreSQL's integer): a larger one
# names nothing, and is refused before it reaches the database.
MAX_ROW_ID: Final = 2**31 - 1
MIN_SERVICE_LEVEL: Final = 0.5
MAX_SERVICE_LEVEL: Final = 0.999

_WHOLE_NUMBER = re.compile(r"^[+]?\d+$")
# A product id: letters, digits and - _ . (the API's URLs hold it as one path segment).
PRODUCT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


def parse_whole_number(
    value: object, field: str, *, minimum: int = 0, maximum: int = MAX_QUANTITY
) -> int:
    """Read a whole number of units (or days) typed by a person or sent by a script.

    Accepts ints, integral floats/Decimals and strings of digits. Refuses booleans,
    fractions, NaN, text and anything outside [minimum, maximum].
    """
    number: int
    if isinstance(value, bool) or value is None:
        raise InvalidValue(field, value, "is not a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(field, value, "is not a whole number")
        if isinstance(value, Decimal) and not value.is_finite():
            raise InvalidValue(field, value, "is not a whole number")
        if value != int(value):
            raise InvalidValue(field, value, "must be a whole number of units, not a fraction")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _WHOLE_NUMBER.match(text) or re.match(r"^-\d+$", text):
            number = int(text)
        else:
            try:
                as_decimal = Decimal(text)
            except InvalidOperation:
                raise InvalidValue(field, value, "is not a whole number") from None
            return parse_whole_number(as_decimal, field, minimum=minimum, maximum=maximum)
    else:
        raise InvalidValue(field, value, "is not a whole number")
    if number < minimum:
        if minimum == 1:
            raise InvalidValue(field, value, "must be at least 1")
        raise InvalidValue(field, value, f"must not be below {minimum}")
    if number > maximum:
        raise InvalidValue(field, value, f"must not be above {maximum:,}")
    return number


def parse_quantity(value: object, field: str = "quantity") -> int:
    """A quantity to buy, receive or sell: a whole number of units, at least 1."""
    return parse_whole_number(value, field, minimum=1)


def parse_money(value: object, field: str) -> Decimal:
    """Read an amount of money (unit price, unit cost): >= 0 with at most 2 decimals."""
    if isinstance(value, bool) or value is None:
        raise InvalidValue(field, value, "is not an amount of money")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidValue(field, value, "is not an amount of money")
            amount = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, str):
            amount = Decimal(value.strip())
        else:
            raise InvalidValue(field, value, "is not an amount of money")
    except InvalidOperation:
        raise InvalidValue(field, value, "is not an amount of money") from None
    if not amount.is_finite():
        raise InvalidValue(field, value, "is not an amount of money")
    if amount < 0:
        raise InvalidValue(field, value, "must not be negative")
    if amount > MAX_PRICE:
        raise InvalidValue(field, value, f"must not be above {MAX_PRICE:,}")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidValue(field, value, "has more than 2 decimal places")
    return amount.quantize(CENT)


# Control characters (C0, DEL and C1: NUL, a tab, a line break, an escape...): never part of
# a name, an id, an address, a password or a reason. PostgreSQL cannot store NUL at all.
# A plain pattern, so a whole imported column is checked by Arrow, not by Python per cell.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Half of a UTF-16 pair, as JSON's "\ud800" decodes: not text any database can encode.
_UNPAIRED_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_control_character(text: str) -> bool:
    """Whether the text holds a control character (a tab, a line break, NUL, DEL...)."""
    return CONTROL_CHARACTER.search(text) is not None


def text_problem(text: str) -> str | None:
    """Why this one-line text cannot be accepted, or None: a control character or an
    unpaired surrogate. The rule behind every text field of every interface."""
    found = CONTROL_CHARACTER.search(text)
    if found is not None:
        return f"contains a control character (U+{ord(found.group()):04X}); only printable text"
    if _UNPAIRED_SURROGATE.search(text) is not None:
        return "contains an unpaired surrogate, which is not text"
    return None


def refuse_control_characters(value: str, field: str) -> str:
    """The text unchanged, or InvalidValue naming the field if `text_problem` finds one."""
    problem = text_problem(value)
    if problem is not None:
        raise InvalidValue(field, value, problem)
    return value


def parse_text(value: object, field: str, *, max_length: int = NAME_MAX_LENGTH) -> str:
    """A required piece of one-line text (name, category): trimmed, not empty, not too long,
    no control characters (a tab or line break is refused, not turned into a space)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "must not be empty")
    refuse_control_characters(value, field)
    text = " ".join(value.split())
    if len(text) > max_length:
        raise InvalidValue(field, value, f"is longer than {max_length} characters")
    return text


def parse_optional_text(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_text(value, field)


def parse_number(value: object, field: str) -> float:
    """A finite decimal number (rates, spreads, demand per day); a decimal comma is read."""
    if isinstance(value, bool):
        raise InvalidValue(field, value, "is not a number")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise InvalidValue(field, value, "is not a number") from None
    else:
        raise InvalidValue(field, value, "is not a number")
    if not math.isfinite(number):
        raise InvalidValue(field, value, "is not a finite number")
    return number


def parse_fraction(value: object, field: str) -> float:
    """A share written as a fraction (0.95), as a percentage with % ("95%"), or as a bare
    number above 1 and at most 100, which can only mean a percentage (95: 95%)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith("%"):
        return parse_number(text[:-1].strip(), field) / 100
    number = parse_number(text, field)
    return number / 100 if 1 < number <= 100 else number


def parse_service_level(value: object, field: str = "service level") -> float:
    """A target service level from 50% to 99.9%: 0.95, "95%" or 95."""
    level = parse_fraction(value, field)
    if not MIN_SERVICE_LEVEL <= level <= MAX_SERVICE_LEVEL:
        raise InvalidValue(field, value, "must be from 50% to 99.9% (e.g. 95%, 95 or 0.95)")
    return level


def is_blank(value: object) -> bool:
    """Nothing typed: None, empty text, or the NaN an empty table cell reads as."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def parse_amount(
    value: object,
    field: str,
    *,
    above_zero: bool = False,
    maximum: float | None = None,
    unit: str = "",
) -> float:
    """A number that may not be negative (nor 0 with `above_zero`), nor above `maximum`;
    `unit` (" days", " a day") follows the numbers in the refusal."""
    number = parse_number(value, field)
    if above_zero and number <= 0:
        raise InvalidValue(field, value, f"must be more than 0{unit}")
    if number < 0:
        raise InvalidValue(field, value, "must not be negative")
    if maximum is not None and number > maximum:
        raise InvalidValue(field, value, f"is more than {maximum:,.0f}{unit}")
    return number


def parse_lead_time_spread(value: object) -> float | None:
    """The sd of the supplier's lead time in days, or None when not known."""
    if is_blank(value):
        return None
    return parse_amount(value, "lead time sd", maximum=MAX_LEAD_TIME_DAYS, unit=" days")


def parse_product_id(value: object) -> str:
    """The shop's own SKU code, e.g. "85123A" or "101": letters, digits and - _ .

    No "/": an id is a segment of the API's URLs (GET /products/{id})."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = parse_text(value, "product id", max_length=PRODUCT_ID_MAX_LENGTH)
    if not PRODUCT_ID_PATTERN.fullmatch(text):
        raise InvalidValue(
            "product id", value, "may only hold letters, digits and - _ . (no spaces, no /)"
        )
    return text


CUSTOMER_ID_MAX_LENGTH = 64


def parse_customer_id(value: object) -> str:
    """Who bought, as the shop's own system names them: trimmed, at most 64 characters,
    no control characters (nothing else is changed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("customer", value, "must not be empty")
    text = value.strip()
    if len(text) > CUSTOMER_ID_MAX_LENGTH:
        raise InvalidValue("customer", value, f"is longer than {CUSTOMER_ID_MAX_LENGTH} characters")
    return refuse_control_characters(text, "customer")


def same_named(target: type[Any], source: object) -> dict[str, Any]:
    """The fields of `target` (a dataclass, or a pydantic model through its `model_fields`)
    that `source` has under the same name, read from it: for building one record from
    another without listing every field again."""
    names = (
        [field.name for field in fields(target)]
        if is_dataclass(target)
        else list(target.model_fields)
    )
    return {name: getattr(source, name) for name in names if hasattr(source, name)}


def parse_date(value: object, field: str) -> date:
    """A calendar day: a date, or text like 2024-03-31 (a datetime gives its day). Numbers
    are refused: 86400 is not a day anyone means."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValue(field, value, "is not a date like 2024-03-31")
