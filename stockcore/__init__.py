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

import pandas as _pandas

# statsforecast (the intermittent-demand models) still requires pandas < 3. Under
# pandas 2.3, switch on what pandas 3 does by default: the Arrow-backed string dtype and
# copy-on-write. Text columns then behave as under pandas 3, and imports keep the memory
# they were measured with (without copy-on-write every column selection is a copy).
if int(_pandas.__version__.split(".", 1)[0]) < 3:
    _pandas.set_option("future.infer_string", True)
    _pandas.set_option("mode.copy_on_write", True)
