"""The catalogue's pure rules: no I/O here."""
