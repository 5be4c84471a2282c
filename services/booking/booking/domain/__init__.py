"""The pure domain of the booking service, one module per aggregate:

- `site_capacity`: SiteCapacity (`capacity-<site_id>`): slots, advisors, workshop minutes;
  reservations that never overbook, and `free_slots` for suggestions;
- `appointment`: Appointment (`appointment-<uuid>`): booking, confirmations, reschedule,
  cancellation, no-show, arrival and preparation (commands in `appointment_commands`);
- `customer_vehicle`: CustomerVehicle (`customer-<uuid>`): customers, their vehicles and contact;
- `appointment_list`: the advisor's printed list for the next day (a pure ordering);
- `errors`: the refusals the aggregates share.

No I/O here: time arrives on the commands."""
