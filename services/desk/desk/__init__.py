"""The staff web app: the screens people at the dealership work in, rendered on the server from
the gateway's API with each person's own access token (docs/desk.md)."""
