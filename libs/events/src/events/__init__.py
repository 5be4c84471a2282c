"""dealerflow's event backbone: contracts, the event store, the outbox relay, consumers,
projections, timers, tracing and the local stack. See README.md, "The backbone"."""
