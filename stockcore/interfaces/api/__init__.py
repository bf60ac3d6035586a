"""The REST API: the spec's endpoints and the shop's own, behind one login.

`create_app(db, secret_key=...)` builds a FastAPI application; `python -m stockcore api`
serves it with uvicorn (the OpenAPI docs at /docs only with `--docs`). Every handler
checks the caller's token and role, then calls the same use cases as the dashboard and
the CLI; nothing here touches stock or the database directly.

Errors always come back as JSON: 422 with field-level detail for a malformed or absurd
request, 401 without (or with a bad or expired) token, 403 for a role that may not,
404 for an unknown product, alert or user, 409 when the shop's state refuses (not
enough stock, a duplicate, no forecasts yet), 413 for a body over the size limit, 429
while sign-ins are throttled.

The package, as FastAPI's "bigger applications" lays one out: app.py assembles the
application; schemas/ holds the request and answer shapes, one module per OpenAPI tag;
deps.py what a handler may depend on (the database, the clock, the signed-in user with a
permission); errors.py maps every failure to its answer; guards.py checks a request
before it is parsed (its size, control characters in its path and query) and tells whose
it is (trusted proxies); routers/ holds the endpoints, one module per OpenAPI tag.
"""

from stockcore.interfaces.api.app import create_app, serve, settings_from_env

__all__ = ["create_app", "serve", "settings_from_env"]
