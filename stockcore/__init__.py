"""stockcore: stock-out prevention for small online shops.

The package is the product; the Streamlit dashboard (app.py, pages/) and the
command line (`python -m stockcore`) are two doors into it. Layers:

* `domain`   - the shop's rules (Product, quantities, alerts), no frameworks
* `models`   - SQLAlchemy table models; `db` - engines, sessions, migrations
* `services` - one function per thing a user does, each one transaction
* `reports`  - read-only views (inventory, overview, alerts, sales summaries)
* `charts`   - Altair chart builders; `ui` - the only Streamlit-aware module
"""

__version__ = "0.1.0"
