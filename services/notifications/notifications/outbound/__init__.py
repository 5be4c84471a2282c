"""The providers' adapters: SMS, e-mail (SMTP) and WeChat service-account template messages. Each
sends one message under the message's id as the provider's idempotency key and answers with the
three cases of `events.outbound` (done with the provider's message id; refused; unavailable).
Endpoints and credentials are settings; the defaults point at the local stand-ins (`standins/`)."""
