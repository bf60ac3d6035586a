"""Demand forecasting: from sales history to a forecast per product, with its uncertainty.

* `history`: daily demand per product (stock-out days missing, closed days left out), and
  the shop's daily sales figure (a recorded total, else the day's sale lines);
* `metrics`: how good a forecast was (RMSSE, scaled pinball loss, coverage, MASE for show);
* `models`: the candidate models and the yearly season borrowed from a category;
* `selection`: the rolling-origin backtest that chooses a model per series;
* `distribution`: the distribution of total demand over a lead time (the reorder rule's input);
* `refresh`: the use case that forecasts every product (and the shop's daily sales figure);
* `workers`: one series' forecast, and many of them run on worker processes;
* `store`: a refresh's result written in one transaction (and a product's forgotten);
* `lease`: one refresh at a time across every process on the database;
* `views`: stored forecasts read back for the dashboard, the CLI and the API.
"""
