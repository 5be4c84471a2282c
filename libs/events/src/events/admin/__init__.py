"""The operator's command, `dealerflow` (also `python -m events.admin`): rebuild a read model
against the live one, republish the log, re-drive dead letters, migration status, the
contract check. The guide is docs/operations.md; `cli` is the entry point."""
