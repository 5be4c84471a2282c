"""The complaints service: the Toyota 7-step complaint handling, its SLA clocks and escalations
(docs/domain.md §7; seeds 001 and 004)."""
