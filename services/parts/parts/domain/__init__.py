"""The pure domain of the parts service, one module per aggregate: `stock_item`
(`stock-<site_id>:<part_number>`), `parts_order` (`parts_order-<uuid>`) and `old_part`
(`old_part-<uuid>`), with shared refusals in `errors` and the KPI facts in `kpi`.
No I/O here: time arrives on the commands."""
