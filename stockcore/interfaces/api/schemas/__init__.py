"""What the API's requests and answers look like: pydantic models, one per shape, one
module per OpenAPI tag (`accounts`, `access`, `products`, `sales`, `forecasts`) as the
routers are, and `common` for what they share.

Request bodies (`...In`) refuse unknown fields, NaN and infinity, take JSON numbers
only where a count is meant, text without control characters (`Text`) and dates only as
"YYYY-MM-DD" (`Day`). Answers (`...Out`) are built from a use case's result with
their `of` constructors, so the routers only pick the use case and the status. The
product shapes follow `stockcore.domain.PRODUCT_FIELDS` (tests/test_api.py checks it).
"""
