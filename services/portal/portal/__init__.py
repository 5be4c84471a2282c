"""The customer portal: pages a customer opens from a message or the dealer's website, without
signing in (docs/portal.md, decision 0023)."""
