-- Greeting time (from the car's arrival to the greeting) on the list of a site's visits.
ALTER TABLE repair_orders ADD COLUMN greeted_at timestamptz;
