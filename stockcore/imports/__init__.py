"""Use cases for data in and out: preview and import sales, import products, undo, export.

An import is a batch: one file, one transaction. Every row is checked before
anything is written; by default one bad row refuses the whole file (the refusal
names line, column, value and reason for each), or with skip_bad_rows the good
rows go in and the bad ones are reported. Imported sales are history (they feed
reports and forecasts) unless apply_to_stock, which applies each line like a
purchase and refuses the whole batch if any product would be oversold.
`undo_import` removes exactly one batch, stock effects included.

Modules, in the order a sales file goes through them:

* `reading`  - decoding, delimiters, layouts and chunks of rows (no database)
* `parsers`  - vectorised column checks: numbers, money, dates, ids (no database)
* `sales`    - a sales file's rows checked and kept as a frame; the date column read
* `netting`  - returns netted against their sales, order-line keys, large-line warnings
* `mappings` - column mappings remembered per header set
* `preview`  - what importing a sales file (or daily totals) would do; writes nothing
* `commit`   - a preview written as one batch
* `batches`  - batch kinds and statuses, the list of batches
* `undo`     - one batch taken out again
* `products` - a products file imported (and undone)
* `exports`  - tables out as spreadsheet-safe CSV, and the template
"""

from stockcore.imports import exports, reading
from stockcore.imports.batches import BatchKind, BatchStatus, BatchView, imported_as, list_batches
from stockcore.imports.commit import ImportOutcome, ShopChanged, commit_sales_import, import_sales
from stockcore.imports.exports import EXPORTS, TEMPLATE_CSV, export_frame, to_csv
from stockcore.imports.mappings import remember_mapping, remembered_mapping
from stockcore.imports.netting import Netted, large_line_warnings, net_returns, order_line_keys
from stockcore.imports.preview import ImportOptions, SalesPreview, preview_sales_import
from stockcore.imports.products import ProductImportOutcome, import_products
from stockcore.imports.reading import (
    DateOrder,
    FileFormat,
    FileRefused,
    NeedsDateOrder,
    NeedsMapping,
    Problem,
)
from stockcore.imports.sales import ParsedSales, parse_sales
from stockcore.imports.undo import UndoOutcome, undo_import

__all__ = [
    "EXPORTS",
    "TEMPLATE_CSV",
    "BatchKind",
    "BatchStatus",
    "BatchView",
    "DateOrder",
    "FileFormat",
    "FileRefused",
    "ImportOptions",
    "ImportOutcome",
    "NeedsDateOrder",
    "NeedsMapping",
    "Netted",
    "ParsedSales",
    "Problem",
    "ProductImportOutcome",
    "SalesPreview",
    "ShopChanged",
    "UndoOutcome",
    "commit_sales_import",
    "export_frame",
    "exports",
    "import_products",
    "import_sales",
    "imported_as",
    "large_line_warnings",
    "list_batches",
    "net_returns",
    "order_line_keys",
    "parse_sales",
    "preview_sales_import",
    "reading",
    "remember_mapping",
    "remembered_mapping",
    "to_csv",
    "undo_import",
]
