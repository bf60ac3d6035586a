"""Upload: bring sales history or products in from CSV, see a preview, commit, undo; export."""

import streamlit as st

from stockcore import imports
from stockcore.interfaces.ui import auth, upload

auth.guard_page(__file__)

st.title("Upload")
done = st.session_state.pop("upload_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

kind = (
    st.segmented_control(
        "The file holds", ["Sales", "Products"], default="Sales", key="upload_kind"
    )
    or "Sales"
)
if kind == "Sales":
    st.caption(
        "Recognised without help: the stockcore template, a shop export (Invoice, StockCode, "
        "Description, Quantity, InvoiceDate, Price, Customer ID, Country) and daily totals "
        "(date, sales). Comma, semicolon or tab; UTF-8 or Windows-1252; decimal commas welcome."
    )
    st.download_button(
        "Download the sales template (CSV)",
        imports.TEMPLATE_CSV,
        file_name="stockcore_sales_template.csv",
        mime="text/csv",
        key="template_download",
    )
else:
    st.caption(
        "Columns: product_id, name, category, unit_price, unit_cost, quantity, "
        "restock_threshold, supplier, lead_time_days, and optionally min_order_quantity, "
        "pack_size, lead_time_sd_days and service_level (an export of products re-imports "
        "as is). New products get their quantity as opening stock; existing ones keep their "
        "stock, and only the columns in the file change."
    )

uploaded = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key=upload.uploader_key())
if uploaded is not None and kind == "Sales":
    left, middle, right = st.columns(3)
    options = imports.ImportOptions(
        skip_bad_rows=left.checkbox("Skip bad rows", key="upload_skip_bad"),
        apply_to_stock=middle.checkbox(
            "Apply to stock (lower stock like purchases)", key="upload_apply_stock"
        ),
        create_products=right.checkbox(
            "Create unknown products", value=True, key="upload_create_products"
        ),
    )
    upload.sales_file(uploaded.getvalue(), uploaded.name, options)
elif uploaded is not None:
    upload.products_file(uploaded.getvalue(), uploaded.name)

st.divider()
st.subheader("Imports")
upload.batches_section()
st.subheader("Export")
upload.exports_section()
