"""Billing's adapters to outside parties: the e-invoice (fapiao) provider and the provincial
repair e-record platform. Each is an HTTP client behind a small interface whose answers are the
three a caller must tell apart: done, refused with the party's reason (not retried), or
unavailable (retried with back-off). Endpoints and credentials are settings; the defaults point
at the local stand-ins (`standins/`, decision 0017)."""
