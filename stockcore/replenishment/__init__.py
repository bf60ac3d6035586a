"""Replenishment: when to order, how much, and how that would have worked.

* `levels`: the stock-level arithmetic (the spec's reorder-point calculator, the
  service-level order-up-to rule from a demand distribution, order rounding, EOQ, run-out days);
* `plan`: the reorder list, per product, from the stored forecasts and their distributions;
* `lines`: a line of that list (its status, season, numbers) and what it says in plain words;
* `plan_table`: the list as the table the owner edits, and at a glance;
* `purchase_orders`: orders placed with suppliers (PO-000123, with costs and a total),
  read back by status or overdue, the units still to come per product;
* `receiving`: receipts of an order whole or in part, and closing it early;
* `order_files`: the CSV and printable page a supplier gets;
* `simulation`: replaying real demand day by day under a stocking policy;
* `backtest`: the shop's policies compared on its own history.
"""
