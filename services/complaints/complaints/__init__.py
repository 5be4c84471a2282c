"""The complaints service: the Toyota 7-step complaint handling, its SLA clocks and escalations
(domain.md §7; seeds 001 and 004)."""
