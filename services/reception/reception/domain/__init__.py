"""The pure domain of the reception service: the RepairOrder aggregate (`repair_order-<uuid>`).

`repair_order` holds the decider (`decide`, `evolve`, `initial_state`) and the reception-desk
decisions (walk-around, concerns, estimate, signing, exit slip); `check_in` the check-in (with
what booking recorded of an appointment); `repair_order_changes` the changes after signing
(consented line changes, additional work, promised time);
`delivery` hand-over, readiness, settlement and delivery; `invoice` the totals; `pricing` the
lines next to the catalogue's prices and the discount authority; `next_service` the service due
after delivery; `repair_order_commands` and `repair_order_state` the commands and the state;
`errors` every refusal with its code. `reception_settings` is the site's settings aggregate
(`reception_settings-<site_id>`). No I/O here: time and the catalogue's prices arrive on the
commands."""
