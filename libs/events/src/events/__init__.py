"""dealerflow's event backbone: contracts, the event store, the outbox relay, consumers,
projections, timers, tracing and the local stack. See docs/architecture.md, "The backbone"."""
