"""The parts service: stock per site, reservations, issue and return, shortages, emergency
orders, inter-site transfers within a dealer group, back-order receipt, and old/warranty part
disposition (docs/domain.md §4). Its published events are in `events.catalog.parts`."""
