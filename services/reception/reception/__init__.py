"""The reception service: check-in, walk-around, concerns, estimate, the repair order and its
consent rules, additional-work approvals, promised time, settlement, delivery and exit slips
(docs/domain.md §2 and §5). The pure domain lives in `reception.domain`."""
