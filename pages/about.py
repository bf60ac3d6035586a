"""About: what stockcore is, and where the demo shop's data comes from."""

import streamlit as st

from stockcore import __version__
from stockcore.interfaces.ui import auth

auth.guard_page(__file__)

st.title("About stockcore")
st.markdown(
    f"""
**stockcore {__version__}** is an open-source stock-out prevention system for small online
shops. It keeps live stock counts, lowers them the moment something sells, raises a restock
alert as soon as a product falls below its threshold, forecasts each product's demand (and the
day it will run out), and reports sales by product, category and period. Every change of
stock is one transaction and one row in the stock ledger, so the quantity on hand always
equals the sum of its movements.

The same shop is reachable from the command line: `python -m stockcore --help`.
"""
)

st.subheader("Demo shop data")
st.markdown(
    """
The demo shop's products and their two years of sales are real: they come from the
transactions of a UK online gift shop, published as **Online Retail** and **Online Retail II**
in the UCI Machine Learning Repository (data sets 352 and 502), donated by Dr Daqing Chen,
London South Bank University, and distributed by UCI under the
[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/) licence.

Citation: Chen, D., Sain, S. L. and Guo, K. (2012), *Data mining for the online retail
industry*, Journal of Database Marketing and Customer Strategy Management 19(3):197-208,
doi:10.1057/dbm.2012.17.

Dates are shifted so the history ends the day before the demo was loaded. Stock levels,
restock thresholds, unit costs, suppliers and lead times are invented for the demo.
"""
)
