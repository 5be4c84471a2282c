"""The billing domain: pure deciders and rules (no I/O)."""
