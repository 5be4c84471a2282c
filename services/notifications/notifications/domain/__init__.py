"""The notifications domain: pure rules, no I/O."""
