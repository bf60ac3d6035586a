"""What every request and answer shape of the API shares: the field types (text without
control characters, days as "YYYY-MM-DD", JSON numbers only where a count is meant, product
ids, money, service levels, rounded answers), the strict base of request bodies, times with
their UTC offset, and the error answer."""

import datetime as dt
import re
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from stockcore.domain import (
    MAX_LEAD_TIME_DAYS,
    MAX_SERVICE_LEVEL,
    MIN_SERVICE_LEVEL,
    SERVICE_LEVEL_MEANING,
    text_problem,
)


def _printable(text: str) -> str:
    """The domain's rule for text (no NUL or other control character), as a field error."""
    problem = text_problem(text)
    if problem is not None:
        raise PydanticCustomError("control_character", problem)
    return text


def _iso_day(value: object) -> object:
    """A day as JSON writes one: "2024-03-31", never a number (86400 is not 1970-01-02)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date written like 2024-03-31")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# Text of any field a request sends: no NUL, tab, line break or other control character.
Text = Annotated[str, AfterValidator(_printable)]
# A calendar day, as text "YYYY-MM-DD" only.
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
# JSON numbers only: no true for 1, no "3" or 2.0 for a count of units.
Whole = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True)]
ProductId = Annotated[
    Annotated[Text, Field(max_length=64)] | Whole,
    Field(description="the product's SKU code, e.g. 85123A: letters, digits and - _ ."),
]
Money = Annotated[Decimal, Field(ge=0, description="an amount in the shop's currency")]
ShortText = Annotated[Text, Field(max_length=500)]
LeadTimeSpread = Annotated[
    Number, Field(ge=0, le=MAX_LEAD_TIME_DAYS, description="sd of the supplier's lead time, days")
]
ServiceLevel = Annotated[
    Number,
    Field(
        ge=MIN_SERVICE_LEVEL,
        le=MAX_SERVICE_LEVEL,
        description=f"service level ({SERVICE_LEVEL_MEANING}) to aim for, e.g. 0.95",
    ),
]
# Answers: forecast units to 3 decimals, stock levels to 2, chances to 4.
Units = Annotated[float, AfterValidator(partial(round, ndigits=3))]
Level = Annotated[float, AfterValidator(partial(round, ndigits=2))]
Chance = Annotated[float, AfterValidator(partial(round, ndigits=4))]
RoleName = Literal["owner", "manager", "staff"]
OrderId = Annotated[
    Annotated[Text, Field(max_length=200)] | Whole | None,
    Field(
        description="the storefront's order id (optional): a retried request with the same "
        "order id changes nothing and gets the first answer (as an Idempotency-Key header)"
    ),
]


def aware(moment: dt.datetime) -> dt.datetime:
    """Shop times are local wall-clock times; JSON gets them with their UTC offset."""
    return moment.astimezone() if moment.tzinfo is None else moment


class StrictIn(BaseModel):
    """Request bodies: unknown fields, NaN and infinity are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ErrorOut(BaseModel):
    detail: str | list[dict[str, Any]]
