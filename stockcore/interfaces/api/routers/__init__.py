"""The API's endpoints, one module per OpenAPI tag: service (health), accounts, products
(stock, purchases, alerts), sales (the spec's endpoints) and forecasts (reordering).

Each handler parses its input, calls one use case and shapes the answer with a schema;
a refusal is raised and errors.py answers it."""
