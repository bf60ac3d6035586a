"""stockcore: stock-out prevention for small online shops.

The package is the product; the Streamlit dashboard (app.py, pages/), the REST API and
the command line (`python -m stockcore`) are doors into it. Packages, inner layers first:

* `domain`        - the shop's rules and values (Product, quantities, alerts, errors), no frameworks
* `persistence`   - SQLAlchemy table models, engines and sessions, migrations, backups
* `inventory`     - stock use cases (purchase, receive, adjust, settings, alerts) and reports
* `imports`       - sales and product files in (preview, commit, undo), tables out as CSV
* `forecasting`   - daily demand history, forecast models and their selection, stored forecasts
* `replenishment` - reorder points and quantities, the reorder list, purchase orders, backtests
* `accounts`      - users, roles, sign-in, API tokens and the login throttle
* `interfaces`    - the REST API, the CLI, the Streamlit helpers and charts; they call use cases

Importing stockcore changes no library's settings: code that wants a pandas behaviour
asks for it (text columns name their Arrow string dtype).
"""

__version__ = "0.1.0"
