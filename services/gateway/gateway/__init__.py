"""The API gateway: the one entry for dealer-group users and systems.

It authenticates (signed bearer tokens), enforces dealer-group and site scope, limits each
client's request rate, forwards to the owning service with an internal identity token the
services trust, and serves one combined OpenAPI document."""
