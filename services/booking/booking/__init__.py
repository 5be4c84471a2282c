"""The booking service: appointments (passive and active), site capacity, confirmations,
no-shows, arrivals, preparation, and the customer and vehicle registry (docs/domain.md §1; seeds
000 and 003). The pure domain lives in `booking.domain`."""
