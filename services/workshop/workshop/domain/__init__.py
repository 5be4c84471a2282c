"""The pure domain of the workshop service: the `work_order` aggregate
(`work_order-<repair_order_id>`), its commands, state, refusals and the completion forecast.
No I/O here: time arrives on the commands."""
